"""The ChatGateway protocol: the neutral actions the enforcer asks a platform to perform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

from bot.i18n import Text


class Capability(StrEnum):
    """What a platform (or a particular bridge implementation) can do."""

    DELETE = "delete"
    SEND = "send"
    MUTE = "mute"
    KICK = "kick"
    BAN = "ban"
    JOIN_REQUESTS = "join_requests"
    BUTTONS = "buttons"


ALL_CAPABILITIES = frozenset(Capability)


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: ``data`` comes back as a ButtonPress; ``url`` opens a link."""

    label: Text
    data: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one platform call; failures are recorded, never raised."""

    ok: bool
    detail: str = ""

    @classmethod
    def success(cls, detail: str = "") -> Outcome:
        return cls(True, detail)

    @classmethod
    def failure(cls, detail: str) -> Outcome:
        return cls(False, detail)


@runtime_checkable
class ChatGateway(Protocol):
    """Platform calls, all idempotent where the platform allows. Never raises on API errors."""

    platform: str

    def capabilities(self, chat: str) -> frozenset[Capability]: ...

    async def delete(self, chat: str, message_ids: Sequence[str]) -> Outcome: ...

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
        """Post a message; returns its id, or None if it could not be sent.

        Button labels are rendered in ``lang``. Auto-deletion is not the gateway's job: the
        core's notifier schedules it (persistently) and calls ``delete`` when due.
        """
        ...

    async def send_photo(
        self,
        chat: str,
        photo: bytes,
        *,
        caption: str = "",
        reply_to: str | None = None,
        thread_id: str | None = None,
    ) -> str | None:
        """Post a picture (PNG or JPEG bytes) with an optional caption; returns its id, or
        None if it could not be sent."""
        ...

    async def mute(self, chat: str, user: str, duration: timedelta | None) -> Outcome: ...

    async def unmute(self, chat: str, user: str) -> Outcome: ...

    async def kick(self, chat: str, user: str) -> Outcome: ...

    async def ban(self, chat: str, user: str, duration: timedelta | None = None) -> Outcome: ...

    async def unban(self, chat: str, user: str) -> Outcome: ...

    async def approve_join(self, chat: str, user: str, ref: str = "") -> Outcome: ...

    async def decline_join(self, chat: str, user: str, ref: str = "") -> Outcome: ...
