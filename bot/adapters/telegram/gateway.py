"""TelegramGateway: the neutral ChatGateway actions as Bot API calls; failures are Outcomes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from telegram import (
    Bot,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
)

from bot.adapters.telegram.faults import Caller, Result
from bot.events import PRIVATE, split_id
from bot.gateway import ALL_CAPABILITIES, Button, Capability, Outcome
from bot.i18n import Text, t

log = logging.getLogger(__name__)

T = TypeVar("T")
DELETE_BATCH = 100

RIGHT_EFFECTS: dict[str, Text] = {
    "can_delete_messages": t(
        "messages that break the rules cannot be deleted",
        "违规消息无法删除",
    ),
    "can_restrict_members": t(
        "members cannot be muted, kicked or banned",
        "无法禁言、踢出或封禁成员",
    ),
    "can_invite_users": t(
        "join requests cannot be approved or declined",
        "无法审批入群申请",
    ),
}
RIGHTS_NOTICE = t(
    "⚠️ I am missing the admin right “{right}”: {effect}. Please grant it to keep moderation"
    " working.",
    "⚠️ 机器人缺少管理员权限“{right}”：{effect}。请授予该权限以保证管理正常运行。",
)


def raw_id(qualified: str) -> int:
    """``"tg:-1001"`` → ``-1001``; raises ValueError for another platform or a non-number."""
    platform, raw = split_id(qualified)
    if platform != "tg":
        raise ValueError(f"not a telegram id: {qualified!r}")
    return int(raw.removeprefix(PRIVATE))  # a private chat's id is its user's


def _until(duration: timedelta | None) -> datetime | None:
    return None if duration is None else datetime.now(UTC) + duration


class TelegramGateway:
    """Implements ``bot.gateway.ChatGateway`` for Telegram (platform ``"tg"``). Never raises."""

    platform = "tg"

    def __init__(self, bot: Bot, caller: Caller | None = None) -> None:
        self.bot = bot
        self.caller = caller or Caller()
        self._told: set[tuple[int, str]] = set()

    def capabilities(self, chat: str) -> frozenset[Capability]:
        return ALL_CAPABILITIES

    def forget_notices(self, chat_id: int) -> None:
        """The bot's rights changed in ``chat_id``: a newly missing right is reported again."""
        self._told = {k for k in self._told if k[0] != chat_id}

    async def _run(
        self, chat_id: int, right: str, what: str, call: Callable[[], Awaitable[T]]
    ) -> Result[T]:
        result = await self.caller(what, call)
        if result.kind == "rights":
            await self._tell_admins(chat_id, right)
        return result

    async def _tell_admins(self, chat_id: int, right: str) -> None:
        if (chat_id, right) in self._told or right not in RIGHT_EFFECTS:
            return
        self._told.add((chat_id, right))
        effect = RIGHT_EFFECTS[right]
        text = "\n".join(RIGHTS_NOTICE.render(lang, right=right, effect=effect.render(lang))
                         for lang in ("en", "zh"))
        sent = await self.caller(f"sendMessage({chat_id}, rights notice)",
                                 lambda: self.bot.send_message(chat_id, text))
        if not sent.ok:
            log.warning("could not tell chat %s about the missing right %s", chat_id, right)

    @staticmethod
    def _outcome(result: Result[Any], what: str) -> Outcome:
        if result.kind == "ok":
            return Outcome.success()
        if result.kind == "gone":
            return Outcome.success("already gone")
        prefix = "rights" if result.kind == "rights" else result.kind
        return Outcome.failure(f"{prefix}: {what}: {result.detail}")

    async def delete(self, chat: str, message_ids: Sequence[str]) -> Outcome:
        try:
            chat_id = raw_id(chat)
            ids = sorted({int(m) for m in message_ids})
        except ValueError as exc:
            return Outcome.failure(f"bad id: {exc}")
        failures: list[str] = []
        notes: set[str] = set()
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            result = await self._run(
                chat_id, "can_delete_messages", f"deleteMessages({chat_id}, {len(batch)})",
                self._deleter(chat_id, batch),
            )
            outcome = self._outcome(result, "delete messages")
            if not outcome.ok:
                failures.append(outcome.detail)
            elif outcome.detail:
                notes.add(outcome.detail)
        if failures:
            return Outcome.failure("; ".join(failures))
        return Outcome.success("; ".join(sorted(notes)))

    def _deleter(self, chat_id: int, batch: list[int]) -> Callable[[], Awaitable[bool]]:
        return lambda: self.bot.delete_messages(chat_id, batch)

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
        try:
            chat_id, reply, thread = _where(chat, reply_to, thread_id)
        except ValueError as exc:
            log.warning("send to %s: bad id: %s", chat, exc)
            return None
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(b.label.render(lang), url=b.url) if b.url
            else InlineKeyboardButton(b.label.render(lang), callback_data=b.data or "-")
        ] for b in buttons]) if buttons else None
        result = await self.caller(f"sendMessage({chat_id})", lambda: self.bot.send_message(
            chat_id, text, reply_parameters=reply, message_thread_id=thread,
            reply_markup=markup))
        return str(result.value.message_id) if result.value is not None else None

    async def send_photo(
        self,
        chat: str,
        photo: bytes,
        *,
        caption: str = "",
        reply_to: str | None = None,
        thread_id: str | None = None,
    ) -> str | None:
        """sendPhoto with the bytes uploaded (multipart); the message id, or None."""
        try:
            chat_id, reply, thread = _where(chat, reply_to, thread_id)
        except ValueError as exc:
            log.warning("send photo to %s: bad id: %s", chat, exc)
            return None
        result = await self.caller(f"sendPhoto({chat_id})", lambda: self.bot.send_photo(
            chat_id, InputFile(photo, filename="picture.png"), caption=caption or None,
            reply_parameters=reply, message_thread_id=thread))
        return str(result.value.message_id) if result.value is not None else None

    async def _member_call(
        self, chat: str, user: str, what: str, right: str,
        call: Callable[[int, int], Awaitable[object]],
    ) -> Outcome:
        try:
            chat_id, user_id = raw_id(chat), raw_id(user)
        except ValueError as exc:
            return Outcome.failure(f"bad id: {exc}")
        result = await self._run(chat_id, right, f"{what}({chat_id}, {user_id})",
                                 lambda: call(chat_id, user_id))
        return self._outcome(result, what)

    async def mute(self, chat: str, user: str, duration: timedelta | None) -> Outcome:
        if _is_channel(user):  # a channel cannot be restricted: stop it posting instead
            outcome = await self.ban(chat, user)
            return Outcome.success("channel sender banned") if outcome.ok else outcome
        return await self._member_call(
            chat, user, "restrictChatMember", "can_restrict_members",
            lambda c, u: self.bot.restrict_chat_member(
                c, u, ChatPermissions.no_permissions(), until_date=_until(duration),
                use_independent_chat_permissions=True))

    async def unmute(self, chat: str, user: str) -> Outcome:
        if _is_channel(user):
            return await self.unban(chat, user)
        try:
            chat_id = raw_id(chat)
        except ValueError as exc:
            return Outcome.failure(f"bad id: {exc}")
        info = await self.caller(f"getChat({chat_id})", lambda: self.bot.get_chat(chat_id))
        defaults = (info.value.permissions if info.value is not None else None) or (
            ChatPermissions.all_permissions())
        return await self._member_call(
            chat, user, "restrictChatMember", "can_restrict_members",
            lambda c, u: self.bot.restrict_chat_member(
                c, u, defaults, use_independent_chat_permissions=True))

    async def kick(self, chat: str, user: str) -> Outcome:
        if _is_channel(user):
            return await self.ban(chat, user)
        banned = await self._member_call(chat, user, "banChatMember", "can_restrict_members",
                                         lambda c, u: self.bot.ban_chat_member(c, u))
        if not banned.ok:
            return banned
        return await self._member_call(
            chat, user, "unbanChatMember", "can_restrict_members",
            lambda c, u: self.bot.unban_chat_member(c, u, only_if_banned=True))

    async def ban(self, chat: str, user: str, duration: timedelta | None = None) -> Outcome:
        if _is_channel(user):
            return await self._member_call(chat, user, "banChatSenderChat",
                                           "can_restrict_members",
                                           lambda c, u: self.bot.ban_chat_sender_chat(c, u))
        return await self._member_call(
            chat, user, "banChatMember", "can_restrict_members",
            lambda c, u: self.bot.ban_chat_member(c, u, until_date=_until(duration)))

    async def unban(self, chat: str, user: str) -> Outcome:
        if _is_channel(user):
            return await self._member_call(chat, user, "unbanChatSenderChat",
                                           "can_restrict_members",
                                           lambda c, u: self.bot.unban_chat_sender_chat(c, u))
        return await self._member_call(
            chat, user, "unbanChatMember", "can_restrict_members",
            lambda c, u: self.bot.unban_chat_member(c, u, only_if_banned=True))

    async def approve_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        return await self._member_call(
            chat, user, "approveChatJoinRequest", "can_invite_users",
            lambda c, u: self.bot.approve_chat_join_request(c, u))

    async def decline_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        return await self._member_call(
            chat, user, "declineChatJoinRequest", "can_invite_users",
            lambda c, u: self.bot.decline_chat_join_request(c, u))

    async def leave(self, chat: str) -> Outcome:
        """Leave a chat (added where the bot cannot or may not work)."""
        try:
            chat_id = raw_id(chat)
        except ValueError as exc:
            return Outcome.failure(f"bad id: {exc}")
        result = await self.caller(f"leaveChat({chat_id})", lambda: self.bot.leave_chat(chat_id))
        return self._outcome(result, "leave chat")

    async def create_invite_link(self, chat: str) -> str:
        """A fresh invite link for ``chat`` (needs can_invite_users), or "" when refused."""
        try:
            chat_id = raw_id(chat)
        except ValueError:
            return ""
        result = await self.caller(f"createChatInviteLink({chat_id})",
                                   lambda: self.bot.create_chat_invite_link(chat_id))
        return result.value.invite_link if result.value is not None else ""

    async def answer_button(self, query_id: str, text: str = "") -> Outcome:
        """Stop the client's spinner for a pressed inline button."""
        result = await self.caller("answerCallbackQuery", lambda: self.bot.answer_callback_query(
            query_id, text or None))
        return self._outcome(result, "answer callback")


def _where(chat: str, reply_to: str | None,
           thread_id: str | None) -> tuple[int, ReplyParameters | None, int | None]:
    """The chat id, the reply (sent even if the replied message is gone) and the topic."""
    reply = (ReplyParameters(int(reply_to), allow_sending_without_reply=True)
             if reply_to else None)
    return raw_id(chat), reply, int(thread_id) if thread_id else None


def _is_channel(user: str) -> bool:
    """Channels and groups have negative ids; users positive."""
    try:
        return split_id(user)[1].startswith("-")
    except ValueError:
        return False
