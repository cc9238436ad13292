"""A recording ChatGateway for tests: every call is kept; capabilities and failures are settable."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.gateway import ALL_CAPABILITIES, Button, Capability, Outcome


@dataclass(frozen=True, slots=True)
class Call:
    """One recorded gateway call."""

    name: str
    chat: str
    args: dict[str, Any] = field(default_factory=dict)


class RecordingGateway:
    """Implements ChatGateway in memory. ``fail`` maps call names to a failure detail."""

    def __init__(
        self,
        platform: str = "test",
        capabilities: frozenset[Capability] = ALL_CAPABILITIES,
    ) -> None:
        self.platform = platform
        self.caps = capabilities
        self.calls: list[Call] = []
        self.fail: dict[str, str] = {}
        #: failures for the next calls of a name, one per call (then it succeeds again)
        self.fail_next: dict[str, list[str]] = {}
        self._ids = itertools.count(1000)

    def capabilities(self, chat: str) -> frozenset[Capability]:
        return self.caps

    def names(self) -> list[str]:
        return [c.name for c in self.calls]

    def of(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def _record(self, name: str, chat: str, **args: Any) -> Outcome:
        self.calls.append(Call(name, chat, args))
        if self.fail_next.get(name):
            return Outcome.failure(self.fail_next[name].pop(0))
        if name in self.fail:
            return Outcome.failure(self.fail[name])
        return Outcome.success()

    async def delete(self, chat: str, message_ids: Sequence[str]) -> Outcome:
        return self._record("delete", chat, message_ids=list(message_ids))

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
        outcome = self._record(
            "send", chat, text=text, reply_to=reply_to, thread_id=thread_id,
            buttons=list(buttons), lang=lang,
        )
        return str(next(self._ids)) if outcome.ok else None

    async def send_photo(
        self,
        chat: str,
        photo: bytes,
        *,
        caption: str = "",
        reply_to: str | None = None,
        thread_id: str | None = None,
    ) -> str | None:
        outcome = self._record("send_photo", chat, photo=photo, caption=caption,
                               reply_to=reply_to, thread_id=thread_id)
        return str(next(self._ids)) if outcome.ok else None

    async def mute(self, chat: str, user: str, duration: timedelta | None) -> Outcome:
        return self._record("mute", chat, user=user, duration=duration)

    async def unmute(self, chat: str, user: str) -> Outcome:
        return self._record("unmute", chat, user=user)

    async def kick(self, chat: str, user: str) -> Outcome:
        return self._record("kick", chat, user=user)

    async def ban(self, chat: str, user: str, duration: timedelta | None = None) -> Outcome:
        return self._record("ban", chat, user=user, duration=duration)

    async def unban(self, chat: str, user: str) -> Outcome:
        return self._record("unban", chat, user=user)

    async def approve_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        return self._record("approve_join", chat, user=user, ref=ref)

    async def decline_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        return self._record("decline_join", chat, user=user, ref=ref)
