"""Raids: a burst of ads or joins in one chat switches it to raid handling for a while."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.batching import transient, unbroken
from bot.ports import LogEntry, ModerationStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RaidRule:
    """``ads`` removed ads or ``joins`` joins within ``seconds`` start a raid; it ends after
    ``seconds`` without either. ``ban`` bans the raid's ad senders; ``lock`` mutes members who
    join during a raid for that long (None: off)."""

    ads: int = 10
    joins: int = 20
    seconds: float = 10.0
    ban: bool = True
    lock: timedelta | None = None


@dataclass
class Raid:
    """One chat's raid so far (what its summary notice says)."""

    started: float
    last: float
    deleted: int = 0
    members: set[str] = field(default_factory=set)
    banned: set[str] = field(default_factory=set)
    locked: set[str] = field(default_factory=set)
    told: bool = False
    #: whether this worker sends the summary (several workers: the one that wins it)
    tell: bool = True


class RaidWatch:
    """Counts ads and joins per chat in a sliding window; ``raid(chat)`` while one lasts."""

    def __init__(self, rule: RaidRule | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rule = rule or RaidRule()
        self.clock = clock
        self._ads: dict[str, deque[float]] = {}
        self._joins: dict[str, deque[float]] = {}
        self._raids: dict[str, Raid] = {}

    def _burst(self, seen: dict[str, deque[float]], chat: str, limit: int) -> bool:
        now = self.clock()
        times = seen.setdefault(chat, deque())
        times.append(now)
        while times and now - times[0] > self.rule.seconds:
            times.popleft()
        if len(seen) > 10_000:  # forget quiet chats
            for quiet in [c for c, t in seen.items() if not t or now - t[-1] > self.rule.seconds]:
                del seen[quiet]
        return limit > 0 and len(times) >= limit

    def ad(self, chat: str, member: str) -> Raid | None:
        """An ad was removed in ``chat``; the raid it belongs to, if any (started now or on)."""
        burst = self._burst(self._ads, chat, self.rule.ads)
        raid = self._touch(chat, burst)
        if raid is not None:
            raid.deleted += 1
            raid.members.add(member)
        return raid

    def join(self, chat: str) -> Raid | None:
        return self._touch(chat, self._burst(self._joins, chat, self.rule.joins))

    def _touch(self, chat: str, burst: bool) -> Raid | None:
        now = self.clock()
        raid = self.raid(chat)
        if raid is None and burst:
            raid = self._raids[chat] = Raid(now, now)
        elif raid is not None:
            raid.last = now
        return raid

    def raid(self, chat: str) -> Raid | None:
        """The chat's raid while it lasts (None once ``seconds`` passed without a burst)."""
        raid = self._raids.get(chat)
        if raid is not None and self.clock() - raid.last > self.rule.seconds:
            return None
        return raid

    def recent_ads(self, chat: str) -> int:
        """Ads removed in ``chat`` within the window (a raid may be building up)."""
        times = self._ads.get(chat)
        if not times:
            return 0
        now = self.clock()
        return sum(1 for at in times if now - at <= self.rule.seconds)

    def quiet_in(self, chat: str) -> float:
        """Seconds until the chat's raid ends if nothing more happens (0: no raid)."""
        raid = self._raids.get(chat)
        if raid is None:
            return 0.0
        return max(0.0, raid.last + self.rule.seconds - self.clock())

    def finish(self, chat: str, *, force: bool = False) -> Raid | None:
        """Forget an ended raid (any, with ``force``) and return it (for its summary)."""
        if not force and self.raid(chat) is not None:
            return None
        return self._raids.pop(chat, None)

    async def ended(self, chat: str, *, force: bool = False) -> Raid | None:
        """``finish`` as the notice desk calls it (``bot.raid_shared`` asks the other workers
        first: None while the raid goes on elsewhere, then the whole raid's counts)."""
        return self.finish(chat, force=force)

    async def tells(self, chat: str) -> bool:
        """Whether this worker announces the chat's raid (one worker does, of several)."""
        return True


@dataclass(frozen=True, slots=True)
class _Logged:
    entry: LogEntry
    warn_expires: datetime | None
    warn_reason: str
    logged: asyncio.Future[int | None]


class RaidLog:
    """A raid's log entries (and their warns), written behind: one transaction per batch, not
    one per ad (a raid must not hold the database's write lock away from other chats). ``add``
    gives a future of the entry's id, resolved once written (None if it failed alone)."""

    def __init__(self, store: ModerationStore, *, batch: int = 100) -> None:
        self.store = store
        self.batch = batch
        self._items: list[_Logged] = []
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, entry: LogEntry, warn_expires: datetime | None = None, warn_reason: str = ""
            ) -> tuple[asyncio.Future[int | None], bool]:
        """Buffer ``entry`` (with a warn until ``warn_expires``, if given): its id to be, and
        whether a batch is full (flush now)."""
        logged: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._items.append(_Logged(entry, warn_expires, warn_reason, logged))
        return logged, len(self._items) >= self.batch

    async def _write(self, items: list[_Logged]) -> list[int]:
        ids = []
        async with self.store.transaction() as tx:
            for item in items:
                entry = item.entry
                if item.warn_expires is not None:
                    warn_id, _ = await tx.add_warn(
                        entry.chat, entry.user_id, reason=item.warn_reason or entry.reason,
                        at=entry.created_at, expires_at=item.warn_expires)
                    entry = replace(entry, warn_id=warn_id)
                ids.append(await tx.log(entry))
        return ids

    async def flush(self) -> int:
        """Write what waits (a failure of the moment keeps it and raises); returns how many."""
        async with self._lock:
            items, self._items = self._items, []
            if not items:
                return 0
            try:
                ids: list[int | None] = list(await unbroken(self._write(items)))
            except Exception as exc:
                if transient(exc):
                    self._items[:0] = items
                    raise
                ids = [await self._alone(item) for item in items]
            for item, log_id in zip(items, ids, strict=True):
                if not item.logged.done():
                    item.logged.set_result(log_id)
            return len(items)

    async def _alone(self, item: _Logged) -> int | None:
        try:
            return (await self._write([item]))[0]
        except Exception:
            log.exception("raid log entry for %s in %s dropped", item.entry.message_id,
                          item.entry.chat)
            return None
