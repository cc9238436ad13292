"""In-memory implementations of the storage ports, for unit tests of the core."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from bot.events import Sender
from bot.policy import MemberSnapshot
from bot.ports import LogEntry


@dataclass
class _Warn:
    id: int
    chat: str
    user_id: str
    reason: str
    at: datetime
    expires_at: datetime
    revoked: bool = False


class MemoryModerationStore:
    """Implements ModerationStore in dictionaries; transactions are trivially atomic."""

    def __init__(self) -> None:
        self.warns: list[_Warn] = []
        self.entries: list[LogEntry] = []
        self.members: dict[tuple[str, str], MemberSnapshot] = {}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryModerationStore]:
        yield self

    async def add_warn(self, chat: str, user_id: str, *, reason: str, at: datetime,
                       expires_at: datetime) -> tuple[int, int]:
        warn = _Warn(len(self.warns) + 1, chat, user_id, reason, at, expires_at)
        self.warns.append(warn)
        return warn.id, self._active(chat, user_id, at)

    def _active(self, chat: str, user_id: str, now: datetime) -> int:
        return sum(1 for w in self.warns if w.chat == chat and w.user_id == user_id
                   and not w.revoked and w.expires_at > now)

    async def log(self, entry: LogEntry) -> int:
        entry = replace(entry, id=len(self.entries) + 1)
        self.entries.append(entry)
        return len(self.entries)

    async def snapshot(self, chat: str, user_id: str, now: datetime) -> MemberSnapshot:
        base = self.members.get((chat, user_id), MemberSnapshot(user_id=user_id))
        return replace(base, warns_active=self._active(chat, user_id, now))

    async def set_outcome(self, log_id: int, outcome: str) -> None:
        self.entries[log_id - 1] = replace(self.entries[log_id - 1], outcome=outcome)

    async def touch_many(self, activity: Sequence[tuple[str, Sender, datetime, int]]) -> None:
        for chat, sender, when, messages in activity:
            await self.touch(chat, sender, when, messages)

    async def set_outcomes(self, outcomes: Sequence[tuple[int, str]]) -> None:
        for log_id, outcome in outcomes:
            await self.set_outcome(log_id, outcome)

    async def touch(self, chat: str, sender: Sender, when: datetime, messages: int) -> None:
        base = self.members.get((chat, sender.id), MemberSnapshot(user_id=sender.id,
                                                                  first_seen=when))
        self.members[(chat, sender.id)] = replace(
            base, role=sender.role, message_count=base.message_count + messages)


class MemoryPendingDeletions:
    """Implements PendingDeletions in a list."""

    def __init__(self) -> None:
        self.items: list[tuple[datetime, str, str]] = []

    async def add(self, chat: str, message_id: str, due: datetime) -> None:
        self.items.append((due, chat, message_id))

    async def add_many(self, items: Sequence[tuple[str, str, datetime]]) -> None:
        self.items.extend((due, chat, mid) for chat, mid, due in items)

    async def take_due(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        due = sorted(i for i in self.items if i[0] <= now)[:limit]
        for item in due:
            self.items.remove(item)
        return [(chat, mid) for _, chat, mid in due]

    async def next_due(self) -> datetime | None:
        return min((i[0] for i in self.items), default=None)


class MemoryProcessedKeys:
    """Implements bot.ledger.ProcessedKeys in a dict."""

    def __init__(self) -> None:
        self.keys: dict[str, datetime] = {}

    async def add_many(self, keys: Sequence[str], at: datetime) -> None:
        for key in keys:
            self.keys.setdefault(key, at)

    async def since(self, cutoff: datetime) -> list[str]:
        return [k for k, at in self.keys.items() if at >= cutoff]
