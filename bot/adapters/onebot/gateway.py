"""ChatGateway over OneBot: neutral calls routed to the account that reported the chat."""

from __future__ import annotations

import base64
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.events import split_id
from bot.gateway import Button, Capability, Outcome
from bot.metrics import Meter

from .calls import ActionResult, metered
from .connection import Sessions
from .dialects import Call, dialect_for, mute_seconds
from .http import HttpApiClient
from .profiles import ImplProfile, profile_for
from .roster import GroupInfo, MemberInfo, group_from, member_from, members_from
from .settings import OneBotSettings

log = logging.getLogger(__name__)

_PRIVATE = "private:"
_RECENT_LIMIT = 4096
_MEMBER_TTL = 300.0


def render_buttons(buttons: Sequence[Button], lang: str) -> str:
    """OneBot groups have no inline buttons: each becomes a text line (with its link)."""
    lines = []
    for button in buttons:
        label = button.label.render(lang)
        lines.append(f"▸ {label}: {button.url}" if button.url else f"▸ {label}")
    return "\n".join(lines)


class OneBotGateway:
    """Implements ``bot.gateway.ChatGateway`` for one OneBot endpoint (v11 or v12)."""

    def __init__(
        self, settings: OneBotSettings, sessions: Sessions, http: HttpApiClient | None = None
    ) -> None:
        self.settings = settings
        self.platform = settings.platform
        self.profile: ImplProfile = profile_for(settings.impl, settings.version)
        self.dialect = dialect_for(self.profile)
        self.sessions = sessions
        self.http = http
        #: actions by name and outcome, with latency (``/metrics``; the adapter shares its own)
        self.meter = Meter()
        self._recent: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._members: dict[tuple[str, str], tuple[float, MemberInfo]] = {}

    # -- bookkeeping fed by the adapter -------------------------------------------------

    def remember(self, chat: str, message_id: str, sender: str) -> None:
        """Keep who sent a recent message, so a reply can also @ them (QQ's own habit)."""
        self._recent[(chat, message_id)] = sender
        self._recent.move_to_end((chat, message_id))
        while len(self._recent) > _RECENT_LIMIT:
            self._recent.popitem(last=False)

    def sender_of(self, chat: str, message_id: str) -> str:
        return self._recent.get((chat, message_id), "")

    def invalidate(self, chat: str, user: str) -> None:
        """A member's role changed: drop what we cached about them."""
        self._members.pop((chat, user), None)

    # -- routing ------------------------------------------------------------------------

    def _target(self, chat: str) -> tuple[str, bool] | None:
        try:
            platform, raw = split_id(chat)
        except ValueError:
            return None
        if platform != self.platform:
            return None
        if raw.startswith(_PRIVATE):
            return raw[len(_PRIVATE):], True
        return raw, False

    def _raw_user(self, user: str) -> str:
        platform, _, raw = user.partition(":")
        return raw if raw and platform == self.platform else user

    async def call(self, chat: str, action: str, params: Mapping[str, Any]) -> ActionResult:
        """Send one action through the account that reported ``chat`` (WS first, then HTTP)."""
        self_id = self.sessions.account_for(chat)
        session = self.sessions.session_for(self_id)
        if session is not None:
            result = await metered(self.meter, self.platform, action,
                                   session.call(action, params, self_id))
        elif self.http is not None:
            result = await metered(self.meter, self.platform, action,
                                   self.http.call(action, params, self_id))
        else:
            who = f"account {self_id}" if self_id else "any account"
            result = ActionResult.failed(f"no connection to {who} for {chat}")
        if not result.ok:
            log.warning("OneBot %s in %s failed: %s", action, chat, result.describe())
        return result

    async def _do(self, chat: str, call: Call | None, what: str) -> Outcome:
        if call is None:
            return self._unsupported(what)
        result = await self.call(chat, *call)
        return Outcome.success(call[0]) if result.ok else Outcome.failure(
            f"{call[0]}: {result.describe()}"
        )

    def _unsupported(self, what: str) -> Outcome:
        return Outcome.failure(f"unsupported: {what} on {self.profile.name}")

    # -- ChatGateway ----------------------------------------------------------------------

    def capabilities(self, chat: str) -> frozenset[Capability]:
        target = self._target(chat)
        if target is None:
            return frozenset()
        if target[1]:
            return frozenset({Capability.SEND})
        return self.profile.capabilities

    async def delete(self, chat: str, message_ids: Sequence[str]) -> Outcome:
        target = self._target(chat)
        if target is None:
            return Outcome.failure(f"not a {self.platform} chat: {chat}")
        if Capability.DELETE not in self.capabilities(chat):
            return self._unsupported("delete")
        failures = []
        for message_id in message_ids:  # OneBot deletes one message per call
            outcome = await self._do(chat, self.dialect.delete(target[0], message_id), "delete")
            if not outcome.ok:
                failures.append(f"{message_id}: {outcome.detail}")
        if failures:
            return Outcome.failure("; ".join(failures))
        return Outcome.success(f"deleted {len(message_ids)}")

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
        target = self._target(chat)
        if target is None:
            return None
        body = f"{text}\n{render_buttons(buttons, lang)}" if buttons else text
        replied = self.sender_of(chat, reply_to) if reply_to else ""
        mention = [self._raw_user(replied)] if replied else []
        call = self.dialect.send(target[0], target[1], body, reply_to, mention)
        result = await self.call(chat, *call)
        return self.dialect.message_id(result.data) if result.ok else None

    async def send_photo(
        self,
        chat: str,
        photo: bytes,
        *,
        caption: str = "",
        reply_to: str | None = None,
        thread_id: str | None = None,
    ) -> str | None:
        """The caption's message with an image segment appended (v11: ``base64://`` inline;
        v12: ``upload_file`` first, then the image by its ``file_id``)."""
        target = self._target(chat)
        if target is None:
            return None
        image = await self._image(chat, photo)
        if image is None:
            return None
        replied = self.sender_of(chat, reply_to) if reply_to else ""
        mention = [self._raw_user(replied)] if replied else []
        action, params = self.dialect.send(target[0], target[1], caption, reply_to, mention)
        message = [s for s in params["message"]
                   if s["type"] != "text" or s["data"].get("text")]
        result = await self.call(chat, action, {**params, "message": [*message, image]})
        return self.dialect.message_id(result.data) if result.ok else None

    async def _image(self, chat: str, photo: bytes) -> dict[str, Any] | None:
        data = base64.b64encode(photo).decode("ascii")
        if self.dialect.version == 11:
            return {"type": "image", "data": {"file": f"base64://{data}"}}
        uploaded = await self.call(chat, "upload_file",
                                   {"type": "data", "name": "picture.png", "data": data})
        file_id = (uploaded.data.get("file_id")
                   if uploaded.ok and isinstance(uploaded.data, Mapping) else None)
        return {"type": "image", "data": {"file_id": str(file_id)}} if file_id else None

    async def mute(self, chat: str, user: str, duration: timedelta | None) -> Outcome:
        target = self._target(chat)
        if target is None or Capability.MUTE not in self.capabilities(chat):
            return self._unsupported("mute")
        seconds = mute_seconds(None if duration is None else duration.total_seconds())
        return await self._do(
            chat, self.dialect.mute(target[0], self._raw_user(user), seconds), "mute"
        )

    async def unmute(self, chat: str, user: str) -> Outcome:
        target = self._target(chat)
        if target is None or Capability.MUTE not in self.capabilities(chat):
            return self._unsupported("unmute")
        return await self._do(chat, self.dialect.mute(target[0], self._raw_user(user), 0),
                              "unmute")

    async def kick(self, chat: str, user: str) -> Outcome:
        target = self._target(chat)
        if target is None or Capability.KICK not in self.capabilities(chat):
            return self._unsupported("kick")
        return await self._do(
            chat, self.dialect.kick(target[0], self._raw_user(user), False), "kick"
        )

    async def ban(self, chat: str, user: str, duration: timedelta | None = None) -> Outcome:
        """QQ: kick and refuse future join requests (no expiry exists on the platform)."""
        target = self._target(chat)
        if target is None or Capability.BAN not in self.capabilities(chat):
            return self._unsupported("ban")
        outcome = await self._do(
            chat, self.dialect.kick(target[0], self._raw_user(user), True), "ban"
        )
        if outcome.ok and duration is not None:
            return Outcome.success(f"{outcome.detail} (no expiry on this platform)")
        return outcome

    async def unban(self, chat: str, user: str) -> Outcome:
        return self._unsupported("unban (OneBot has no action to lift a join refusal)")

    async def approve_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        return await self._answer(chat, ref, True)

    async def decline_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        return await self._answer(chat, ref, False)

    async def _answer(self, chat: str, ref: str, approve: bool) -> Outcome:
        what = "approve_join" if approve else "decline_join"
        if self._target(chat) is None or Capability.JOIN_REQUESTS not in self.capabilities(chat):
            return self._unsupported(what)
        if not ref:
            return Outcome.failure(f"{what}: the request's flag is missing")
        return await self._do(chat, self.dialect.answer_join(ref, approve), what)

    # -- roster -----------------------------------------------------------------------------

    async def member_info(self, chat: str, user: str, *, fresh: bool = False) -> MemberInfo | None:
        """Role, join and last-message times (cached; role changes invalidate)."""
        target = self._target(chat)
        if target is None or target[1]:
            return None
        cached = self._members.get((chat, user))
        if cached is not None and not fresh and cached[0] > time.monotonic():
            return cached[1]
        result = await self.call(chat, *self.dialect.member_info(target[0], self._raw_user(user)))
        info = member_from(result.data, chat, self.platform) if result.ok else None
        if info is not None:
            self._members[(chat, user)] = (time.monotonic() + _MEMBER_TTL, info)
        return info

    async def member_list(self, chat: str) -> list[MemberInfo]:
        target = self._target(chat)
        if target is None or target[1]:
            return []
        result = await self.call(chat, *self.dialect.member_list(target[0]))
        return members_from(result.data, chat, self.platform) if result.ok else []

    async def group_info(self, chat: str) -> GroupInfo | None:
        target = self._target(chat)
        if target is None or target[1]:
            return None
        result = await self.call(chat, *self.dialect.group_info(target[0]))
        return group_from(result.data, chat) if result.ok else None
