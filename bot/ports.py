"""What the core needs from storage, as protocols; ``storage/`` implements them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.events import Event, Sender
from bot.gateway import ChatGateway
from bot.policy import MemberSnapshot
from bot.verdict import Action


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One moderation-log row: a decision at flag or above, or a moderator's action.

    ``content`` is the full original message as produced by ``bot.serialize.message_to_dict``
    so that nothing deleted is lost; ``symbols`` maps each symbol to its effective score.
    """

    chat: str
    user_id: str
    action: Action
    created_at: datetime
    actor: str = "auto"
    message_id: str = ""
    score: float = 0.0
    symbols: Mapping[str, float] = field(default_factory=dict)
    reason: str = ""
    content: Mapping[str, Any] = field(default_factory=dict)
    observe: bool = False
    shadow_action: Action | None = None
    degraded_from: Action | None = None
    warn_id: int | None = None
    outcome: str = "pending"
    until: datetime | None = None
    id: int | None = None


class ModerationTx(Protocol):
    """Repositories inside one short write transaction (the caller's ``async with``)."""

    async def add_warn(
        self, chat: str, user_id: str, *, reason: str, at: datetime, expires_at: datetime
    ) -> tuple[int, int]:
        """Store a warn; return ``(warn_id, active warns including this one)``."""
        ...

    async def log(self, entry: LogEntry) -> int:
        """Append to the moderation log; return the entry id."""
        ...


class ModerationStore(Protocol):
    """The storage the enforcer and the message handler use."""

    def transaction(self) -> AbstractAsyncContextManager[ModerationTx]: ...

    async def snapshot(self, chat: str, user_id: str, now: datetime) -> MemberSnapshot:
        """The sender as storage knows them; unknown members get a default snapshot."""
        ...

    async def set_outcome(self, log_id: int, outcome: str) -> None:
        """Record what the platform call(s) for a log entry did."""
        ...

    async def touch(self, chat: str, sender: Sender, when: datetime, messages: int) -> None:
        """Upsert a member's last-seen time, role and message counter."""
        ...

    async def touch_many(self, activity: Sequence[tuple[str, Sender, datetime, int]]) -> None:
        """``touch`` for a batch, in one transaction (the activity buffer's flush)."""
        ...

    async def set_outcomes(self, outcomes: Sequence[tuple[int, str]]) -> None:
        """``set_outcome`` for a batch, in one transaction (written behind by the enforcer)."""
        ...


class EventSink(Protocol):
    """Where adapters deliver neutral events, with the gateway that answers for their chat.

    ``update_key`` identifies the platform delivery (``"tg:123456"``): a redelivered key is
    processed once. Adapters await the sink; it never raises for a bad event.
    """

    async def __call__(self, event: Event, gateway: ChatGateway, update_key: str = "") -> None: ...


class PendingDeletions(Protocol):
    """Bot messages scheduled for deletion; persisted so that a restart loses none."""

    async def add(self, chat: str, message_id: str, due: datetime) -> None: ...

    async def add_many(self, items: Sequence[tuple[str, str, datetime]]) -> None:
        """Schedule ``(chat, message_id, due)`` deletions in one transaction."""
        ...

    async def take_due(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """Remove and return ``(chat, message_id)`` pairs due at ``now``."""
        ...

    async def next_due(self) -> datetime | None: ...
