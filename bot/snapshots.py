"""A bounded, short-lived cache of member snapshots and a batched activity counter."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.batching import isolate
from bot.events import Sender
from bot.faults import Faults
from bot.policy import MemberSnapshot
from bot.ports import ModerationStore

log = logging.getLogger(__name__)


class SnapshotCache:
    """Member snapshots for ``ttl``; the enforcer and commands invalidate what they change.

    A stale snapshot never decides a sanction: escalation counts warns inside the enforcer's
    write transaction. The TTL only bounds how long another worker's changes stay unseen.
    """

    def __init__(self, store: ModerationStore, *, size: int = 20_000,
                 ttl: timedelta = timedelta(minutes=10),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._items: OrderedDict[tuple[str, str], tuple[datetime, MemberSnapshot]] = OrderedDict()

    async def get(self, chat: str, user: str, now: datetime) -> MemberSnapshot:
        key = (chat, user)
        hit = self._items.get(key)
        if hit is not None and self.clock() - hit[0] < self.ttl:
            self._items.move_to_end(key)
            return hit[1]
        snapshot = await self.store.snapshot(chat, user, now)
        if snapshot.first_seen is None and snapshot.joined_at is None:
            # Not stored yet (the activity buffer writes later): this is the first sight, so
            # tenure counts from now, not from the next read.
            snapshot = replace(snapshot, first_seen=now)
        self._put(key, snapshot)
        return snapshot

    def _put(self, key: tuple[str, str], snapshot: MemberSnapshot) -> None:
        self._items[key] = (self.clock(), snapshot)
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def counted(self, chat: str, user: str) -> None:
        """Reflect one more message locally until the next read from storage."""
        hit = self._items.get((chat, user))
        if hit is not None:
            snap = hit[1]
            self._items[(chat, user)] = (hit[0], replace(snap, message_count=snap.message_count
                                                         + 1))

    def warned(self, chat: str, user: str, warns_active: int) -> None:
        """Reflect a warn the enforcer just counted, instead of re-reading the member."""
        hit = self._items.get((chat, user))
        if hit is not None:
            self._items[(chat, user)] = (hit[0], replace(hit[1], warns_active=warns_active))

    def invalidate(self, chat: str, user: str | None = None) -> None:
        if user is not None:
            self._items.pop((chat, user), None)
            return
        for key in [k for k in self._items if k[0] == chat]:
            del self._items[key]


class ActivityBuffer:
    """Counts messages per member and writes them in batches.

    The composition root flushes every few seconds, one transaction per batch; ``batch`` is
    only a back-pressure bound so a burst never holds unbounded counts in memory.
    """

    def __init__(self, store: ModerationStore, *, batch: int = 5000,
                 faults: Faults | None = None) -> None:
        self.store = store
        self.batch = batch
        self.faults = faults or Faults()
        self._pending: dict[tuple[str, str], tuple[Sender, datetime, int]] = {}
        self._count = 0
        self._lock = asyncio.Lock()

    async def note(self, chat: str, sender: Sender, when: datetime) -> None:
        key = (chat, sender.id)
        previous = self._pending.get(key)
        self._pending[key] = (sender, when, (previous[2] if previous else 0) + 1)
        self._count += 1
        if self._count >= self.batch:
            await self.flush()

    async def flush(self) -> None:
        """Write the counts noted so far (after the write in flight, if any)."""
        async with self._lock:
            await self._write()

    async def _write(self) -> None:
        pending, self._pending, self._count = self._pending, {}, 0
        if not pending:
            return
        rows = [(chat, sender, when, count) for (chat, _), (sender, when, count)
                in pending.items()]
        kept, dropped = await isolate(self.store.touch_many, rows)
        if dropped:  # each failed alone: the rest of the batch is written all the same
            self.faults.note("activity.dropped", "dropped the activity of %d of %d members "
                             "(each failed alone)", len(dropped), len(rows),
                             level=logging.ERROR, count=len(dropped))
        if kept:
            self.faults.note("activity.retry", "could not record activity of %d members; "
                             "will retry", len(kept), count=len(kept))
            for chat, sender, when, count in kept:  # keep the counts for later
                key = (chat, sender.id)
                newer = self._pending.get(key)
                self._pending[key] = (sender, newer[1] if newer else when,
                                      count + (newer[2] if newer else 0))
