"""LocalGateway: the enforcer's calls change the playground and reach every open page."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.gateway import ALL_CAPABILITIES, Button, Capability, Outcome

from .protocol import ProtocolError, frame
from .state import (
    ACTIVE,
    BANNED,
    BOT,
    CHAT,
    DECLINED,
    KICKED,
    LEFT,
    PENDING,
    PLATFORM,
    ChatMessage,
    Member,
    PlaygroundState,
)
from .uploads import Uploads

Broadcast = Callable[[dict[str, Any]], Awaitable[None]]


async def _nobody(_: dict[str, Any]) -> None:
    return None


class LocalGateway:
    """Implements ``bot.gateway.ChatGateway`` for the lobby, with every capability."""

    platform = PLATFORM

    def __init__(self, state: PlaygroundState, broadcast: Broadcast = _nobody, *,
                 on_approved: Callable[[Member], None] | None = None,
                 on_removed: Callable[[Member], None] | None = None,
                 uploads: Uploads | None = None) -> None:
        self.state = state
        self.broadcast = broadcast
        self.uploads = uploads  # where the bot's pictures are kept for the page to fetch
        self.on_approved = on_approved  # the platform then reports the join, as Telegram does
        self.on_removed = on_removed  # … and the departure of a member it removed

    def capabilities(self, chat: str) -> frozenset[Capability]:
        return ALL_CAPABILITIES

    def _member(self, chat: str, user: str) -> Member | Outcome:
        if chat != CHAT:
            return Outcome.failure(f"unknown chat {chat}")
        member = self.state.member(user)
        if member is None:
            return Outcome.failure(f"unknown member {user}")
        return member

    async def _member_frame(self, kind: str, member: Member, **extra: Any) -> Outcome:
        await self.broadcast(frame(kind, member=member.to_json(self.state.clock()), **extra))
        return Outcome.success()

    async def delete(self, chat: str, message_ids: Sequence[str]) -> Outcome:
        if chat != CHAT:
            return Outcome.failure(f"unknown chat {chat}")
        missing = []
        for message_id in message_ids:
            message = self.state.remove(message_id)
            if message is None or message.removed is None:
                missing.append(message_id)
                continue
            await self.broadcast(frame("removed", message_id=message_id,
                                       **message.removed.to_json()))
        if missing:
            return Outcome.failure(f"message(s) not found: {', '.join(missing)}")
        return Outcome.success()

    async def send(
        self,
        chat: str,
        text: str,
        *,
        reply_to: str | None = None,
        thread_id: str | None = None,
        buttons: Sequence[Button] = (),
        lang: str = "en",
    ) -> str | None:
        if chat != CHAT:
            return None
        message = self.state.add_message(ChatMessage(
            id=self.state.next_message_id(), sender=BOT, sender_name=self.state.title,
            kind="text", text=text, date=self.state.clock(), reply_to=reply_to,
            buttons=[{"label": b.label.render(lang), "label_en": b.label.en,
                      "label_zh": b.label.zh, "data": b.data, "url": b.url} for b in buttons],
        ))
        await self.broadcast(frame("bot_message", message=message.to_json()))
        return message.id

    async def send_photo(
        self,
        chat: str,
        photo: bytes,
        *,
        caption: str = "",
        reply_to: str | None = None,
        thread_id: str | None = None,
    ) -> str | None:
        """An image message from the bot, shown like a member's photo (caption as its text).

        The bytes are kept with the playground's uploads (``/uploads/…``); without them, the
        page gets the picture as a ``data:`` URL."""
        if chat != CHAT:
            return None
        data_url = "data:image/png;base64," + base64.b64encode(photo).decode("ascii")
        try:
            url = self.uploads.save(data_url).url if self.uploads is not None else data_url
        except ProtocolError:  # not an image, or too large
            return None
        message = self.state.add_message(ChatMessage(
            id=self.state.next_message_id(), sender=BOT, sender_name=self.state.title,
            kind="image", text=caption, date=self.state.clock(), reply_to=reply_to,
            image_url=url,
        ))
        await self.broadcast(frame("bot_message", message=message.to_json()))
        return message.id

    async def mute(self, chat: str, user: str, duration: timedelta | None) -> Outcome:
        member = self._member(chat, user)
        if isinstance(member, Outcome):
            return member
        if duration is None:
            member.muted_until, member.muted_forever = None, True
        else:
            member.muted_until = self.state.clock() + duration
            member.muted_forever = False
        until = member.muted_until.isoformat() if member.muted_until else None
        return await self._member_frame("muted", member, until=until)

    async def unmute(self, chat: str, user: str) -> Outcome:
        member = self._member(chat, user)
        if isinstance(member, Outcome):
            return member
        member.muted_until, member.muted_forever = None, False
        return await self._member_frame("unmuted", member)

    async def kick(self, chat: str, user: str) -> Outcome:
        member = self._member(chat, user)
        if isinstance(member, Outcome):
            return member
        was_in = member.status == ACTIVE
        member.status = KICKED
        outcome = await self._member_frame("kicked", member)
        if was_in and self.on_removed is not None:
            self.on_removed(member)
        return outcome

    async def ban(self, chat: str, user: str, duration: timedelta | None = None) -> Outcome:
        member = self._member(chat, user)
        if isinstance(member, Outcome):
            return member
        was_in = member.status == ACTIVE
        member.status = BANNED
        member.banned_until = None if duration is None else self.state.clock() + duration
        until = member.banned_until.isoformat() if member.banned_until else None
        outcome = await self._member_frame("banned", member, until=until)
        if was_in and self.on_removed is not None:
            self.on_removed(member)
        return outcome

    async def unban(self, chat: str, user: str) -> Outcome:
        member = self._member(chat, user)
        if isinstance(member, Outcome):
            return member
        if member.status == BANNED:
            member.status = LEFT  # may come back, as after an unban on a real platform
        member.banned_until = None
        return await self._member_frame("unbanned", member)

    async def approve_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        member = self._member(chat, user)
        if isinstance(member, Outcome):
            return member
        if member.status != PENDING:
            return Outcome.failure(f"{user} has no pending request")
        member.status = ACTIVE
        outcome = await self._member_frame("join_approved", member)
        if self.on_approved is not None:
            self.on_approved(member)
        return outcome

    async def decline_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        member = self._member(chat, user)
        if isinstance(member, Outcome):
            return member
        if member.status != PENDING:
            return Outcome.failure(f"{user} has no pending request")
        member.status = DECLINED
        return await self._member_frame("join_declined", member)
