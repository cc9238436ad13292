"""A bounded, short-lived cache of member snapshots and a batched activity counter."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable

from bot.batching import isolate
from bot.events import Sender
from bot.faults import Faults
from bot.policy import MemberSnapshot
from bot.ports import ModerationStore
from bot.quick import setter

log = logging.getLogger(__name__)

_WITH_COUNT = setter(MemberSnapshot, "message_count")


@runtime_checkable
class KnownMembers(Protocol):
    """A store that can list, in one read, every user of a chat it knows anything about."""

    async def known_members(self, chat: str, limit: int) -> set[str] | None: ...


class SnapshotCache:
    """Member snapshots for ``ttl``; the enforcer and commands invalidate what they change.

    A stale snapshot never decides a sanction: escalation counts warns inside the enforcer's
    write transaction. The TTL only bounds how long another worker's changes stay unseen.

    First sight costs no read: when the store is ``KnownMembers``, each chat's known user ids
    are read once (again after ``ttl``, like a snapshot), and a user outside them gets the
    empty snapshot of a member seen for the first time. Users seen or invalidated since join
    the set, so a later miss reads storage. A chat with more than ``known_limit`` users, or
    beyond ``known_budget`` ids over all chats (least recent chats dropped), reads per member.
    """

    def __init__(self, store: ModerationStore, *, size: int = 20_000,
                 ttl: timedelta = timedelta(minutes=10),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 known_limit: int = 50_000, known_budget: int = 500_000) -> None:
        self.store = store
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._items: OrderedDict[tuple[str, str], tuple[datetime, MemberSnapshot]] = OrderedDict()
        self._roster = store if isinstance(store, KnownMembers) else None
        self.known_limit = known_limit
        self.known_budget = known_budget
        #: chat → (read at, known user ids, or None: too many to keep)
        self._known: OrderedDict[str, tuple[datetime, set[str] | None]] = OrderedDict()
        self._loading: dict[str, asyncio.Future[set[str] | None]] = {}
        self._invalidated: set[str] = set()  # invalidated while their known set was read

    async def get(self, chat: str, user: str, now: datetime) -> MemberSnapshot:
        key = (chat, user)
        hit = self._items.get(key)
        if hit is not None and self.clock() - hit[0] < self.ttl:
            self._items.move_to_end(key)
            return hit[1]
        if await self._first_sight(chat, user):
            snapshot = MemberSnapshot(user_id=user, first_seen=now)
        else:
            snapshot = await self.store.snapshot(chat, user, now)
        if snapshot.first_seen is None and snapshot.joined_at is None:
            # Not stored yet (the activity buffer writes later): this is the first sight, so
            # tenure counts from now, not from the next read.
            snapshot = replace(snapshot, first_seen=now)
        self._put(key, snapshot)
        return snapshot

    async def _first_sight(self, chat: str, user: str) -> bool:
        """Whether storage knows nothing of ``user`` in ``chat`` (they join the known set)."""
        if self._roster is None:
            return False
        entry = self._known.get(chat)
        if entry is None or self.clock() - entry[0] >= self.ttl:
            await self._load(chat)
            entry = self._known.get(chat)
            if entry is None:  # invalidated while reading: read per member this time
                return False
        else:
            self._known.move_to_end(chat)
        known = entry[1]
        if known is None or user in known:
            return False
        known.add(user)
        return True

    async def _load(self, chat: str) -> set[str] | None:
        loading = self._loading.get(chat)
        if loading is not None:  # another message of the chat is reading it
            return await asyncio.shield(loading)
        future: asyncio.Future[set[str] | None] = asyncio.get_running_loop().create_future()
        self._loading[chat] = future
        started = self.clock()
        try:
            assert self._roster is not None
            known = await self._roster.known_members(chat, self.known_limit)
        except Exception as exc:
            log.warning("could not read the known members of %s: %s", chat, exc)
            known = None
            started = started - self.ttl  # not kept: the next message tries again
        finally:
            del self._loading[chat]
        future.set_result(known)
        if self._loading.get(chat) is None and chat not in self._invalidated:
            self._known[chat] = (started, known)
            self._known.move_to_end(chat)
            self._trim()
        self._invalidated.discard(chat)
        return known

    def _trim(self) -> None:
        total = sum(len(k) for _, k in self._known.values() if k is not None)
        while total > self.known_budget and len(self._known) > 1:
            _, (_, dropped) = self._known.popitem(last=False)
            total -= len(dropped) if dropped is not None else 0

    def _put(self, key: tuple[str, str], snapshot: MemberSnapshot,
             at: datetime | None = None) -> None:
        self._items[key] = (self.clock() if at is None else at, snapshot)
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def adopt(self, chat: str, user: str, snapshot: MemberSnapshot, age: timedelta) -> None:
        """Cache another worker's snapshot of a member, read there ``age`` ago (kept for what
        is left of ``ttl``, dropped if none is); the member counts as known, as after
        ``invalidate``."""
        SnapshotCache.invalidate(self, chat, user)  # a copy: nothing for the others to hear
        if timedelta(0) <= age < self.ttl:
            self._put((chat, user), snapshot, self.clock() - age)

    def counted(self, chat: str, user: str) -> None:
        """Reflect one more message locally until the next read from storage."""
        hit = self._items.get((chat, user))
        if hit is not None:
            snap = hit[1]  # one more message on every message: not dataclasses.replace
            self._items[(chat, user)] = (hit[0], _WITH_COUNT(snap, snap.message_count + 1))

    def warned(self, chat: str, user: str, warns_active: int) -> None:
        """Reflect a warn the enforcer just counted, instead of re-reading the member."""
        hit = self._items.get((chat, user))
        if hit is not None:
            self._items[(chat, user)] = (hit[0], replace(hit[1], warns_active=warns_active))

    def invalidate(self, chat: str, user: str | None = None) -> None:
        """Forget what is cached of a member (who then counts as known: the next read goes to
        storage) or of a whole chat (its known members are read again)."""
        if user is not None:
            self._items.pop((chat, user), None)
            entry = self._known.get(chat)
            if entry is not None and entry[1] is not None:
                entry[1].add(user)
            elif chat in self._loading:
                self._invalidated.add(chat)
            return
        for key in [k for k in self._items if k[0] == chat]:
            del self._items[key]
        self._known.pop(chat, None)
        if chat in self._loading:
            self._invalidated.add(chat)


def _hour(when: datetime) -> int:
    """The UTC hour ``when`` falls in, as hours since the epoch (-1 for a bad time, which
    storage then refuses alone)."""
    try:
        return int(when.timestamp()) // 3600
    except (AttributeError, TypeError, ValueError, OverflowError, OSError):
        return -1


class ActivityBuffer:
    """Counts messages per member and UTC hour and writes them in batches.

    The composition root flushes every few seconds, one transaction per batch; ``batch`` is
    only a back-pressure bound so a burst never holds unbounded counts in memory. A member's
    messages are counted per hour (one dict update per message), so storage can keep
    messages per day and per hour; ``zone`` gives a chat's time zone, applied to each row's
    time at flush (never per message), so storage counts days in the chat's local time
    (UTC when ``zone`` is None or fails).
    """

    def __init__(self, store: ModerationStore, *, batch: int = 5000,
                 faults: Faults | None = None,
                 zone: Callable[[str], tzinfo | None] | None = None) -> None:
        self.store = store
        self.batch = batch
        self.faults = faults or Faults()
        self.zone = zone
        self._pending: dict[tuple[str, str, int], tuple[Sender, datetime, int]] = {}
        self._count = 0
        self._lock = asyncio.Lock()

    async def note(self, chat: str, sender: Sender, when: datetime) -> None:
        key = (chat, sender.id, _hour(when))
        previous = self._pending.get(key)
        self._pending[key] = (sender, when, (previous[2] if previous else 0) + 1)
        self._count += 1
        if self._count >= self.batch:
            await self.flush()

    async def flush(self) -> None:
        """Write the counts noted so far (after the write in flight, if any)."""
        async with self._lock:
            await self._write()

    def _local(self, chat: str, when: datetime, zones: dict[str, tzinfo | None]) -> datetime:
        """``when`` in the chat's zone (the same instant; storage reads the local day off it)."""
        if chat not in zones:
            try:
                zones[chat] = self.zone(chat) if self.zone is not None else None
            except Exception as exc:  # an unknown chat or a bad profile: count by UTC day
                log.warning("no time zone for %s: %s", chat, exc)
                zones[chat] = None
        zone = zones[chat]
        try:
            return when.astimezone(zone) if zone is not None else when
        except (AttributeError, TypeError, ValueError, OverflowError):
            return when  # a bad time: storage refuses the row alone

    async def _write(self) -> None:
        pending, self._pending, self._count = self._pending, {}, 0
        if not pending:
            return
        zones: dict[str, tzinfo | None] = {}
        rows = [(chat, sender, self._local(chat, when, zones), count)
                for (chat, _, _), (sender, when, count) in pending.items()]
        kept, dropped = await isolate(self.store.touch_many, rows)
        if dropped:  # each failed alone: the rest of the batch is written all the same
            self.faults.note("activity.dropped", "dropped the activity of %d of %d members "
                             "(each failed alone)", len(dropped), len(rows),
                             level=logging.ERROR, count=len(dropped))
        if kept:
            self.faults.note("activity.retry", "could not record activity of %d members; "
                             "will retry", len(kept), count=len(kept))
            for chat, sender, when, count in kept:  # keep the counts for later
                key = (chat, sender.id, _hour(when))
                newer = self._pending.get(key)
                self._pending[key] = (sender, newer[1] if newer else when,
                                      count + (newer[2] if newer else 0))
