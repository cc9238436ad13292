"""Contribution points in batches: awards wait in memory and are written once per flush, where
capped kinds claim their share of the day's cap from one shared counter."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.batching import unbroken
from bot.dispatcher import CURRENT_UPDATE
from storage import tallies
from storage.contributions import ContributionRepo
from storage.db import Database
from storage.updates import mark_processed_many

log = logging.getLogger(__name__)

Key = tuple[str, str, str, date]  # chat, user, kind, the chat's local day


@dataclass
class Pending:
    points: float
    at: datetime  # the first award of the batch (rows keep their local day)
    cap: float | None = None


class PointsBuffer:
    """``award`` is the hot path: no database access except once per chat, capped kind and
    day, to learn what every member was already granted (a member absent from that read has
    nothing yet, so a first-time member costs no read), so its answer is exact in one process.

    The stored totals are exact with any number of processes: a flush claims each capped
    batch from the shared daily tally (``storage.tallies``) in the transaction that writes
    the points, and writes only what the claim grants.

    Exactly once across a crash: the transaction that writes points also marks the updates
    that awarded them processed (``CURRENT_UPDATE``), so a journal replaying such an update
    skips it instead of awarding its points again (a flush may come before the ledger's,
    e.g. when /top reads totals).
    """

    def __init__(self, db: Database, *, batch: int = 5000) -> None:
        self.db = db
        self.batch = batch
        self._pending: dict[Key, Pending] = {}
        self._used: dict[Key, float] = {}  # capped kinds: stored + pending points of the day
        self._days: set[tuple[str, str, date]] = set()  # (chat, kind, day) read into _used
        self._updates: set[str] = set()  # delivery keys of the updates awarding _pending

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def award(self, key: Key, points: float, at: datetime, cap: float | None,
                    stored: Callable[[], Awaitable[float]] | None = None) -> float:
        """Queue ``points`` (clipped to what ``cap`` leaves today); returns what was queued.
        ``stored()``, if given, reads the key's stored total once; otherwise the stored totals
        of the key's chat, kind and day are read at once, the first time one is needed."""
        if cap is not None and points > 0:
            if key not in self._used:
                if stored is not None:
                    loaded = await stored()
                else:
                    await self._load_day(key)
                    loaded = 0.0  # absent from the day's totals: nothing stored yet
                self._used.setdefault(key, loaded + self._queued(key))
            used = self._used[key]
            points = min(points, cap - used)
            if points <= 0:
                return 0.0
            self._used[key] = used + points
        if update := CURRENT_UPDATE.get():
            self._updates.add(update)
        waiting = self._pending.get(key)
        if waiting is None:
            self._pending[key] = Pending(points, at, cap)
        else:
            waiting.points += points
        if len(self._pending) >= self.batch:
            await self.flush()
        return points

    async def _load_day(self, key: Key) -> None:
        chat, _, kind, day = key
        if (chat, kind, day) in self._days:
            return
        totals = await tallies.used_on(self.db, chat, kind, day)
        self._days.add((chat, kind, day))
        for user, total in totals.items():
            member = (chat, user, kind, day)
            self._used.setdefault(member, total + self._queued(member))

    def _queued(self, key: Key) -> float:
        waiting = self._pending.get(key)
        return waiting.points if waiting else 0.0

    def queued(self, chats: list[str], user: str) -> float:
        """Points of ``user`` in ``chats`` not written yet."""
        return sum(p.points for (c, u, _, _), p in self._pending.items()
                   if u == user and c in chats)

    async def flush(self) -> int:
        """Write every pending award in one transaction; returns rows written. On failure the
        awards go back in the queue for the next flush."""
        pending, self._pending = self._pending, {}
        updates, self._updates = self._updates, set()
        if pending:
            try:
                entries = sorted(pending.items())  # claims lock tallies in one order
                claims = [(chat, user, kind, day, e.points, e.cap)
                          for (chat, user, kind, day), e in entries
                          if e.cap is not None and e.points > 0]
                await unbroken(self._write(entries, claims, updates))
            except Exception:
                log.exception("could not write %d contribution batches; will retry",
                              len(pending))
                self._updates |= updates
                for key, entry in pending.items():
                    waiting = self._pending.setdefault(key, Pending(0.0, entry.at, entry.cap))
                    waiting.points += entry.points
                    waiting.at = min(waiting.at, entry.at)
                return 0
        self._forget_old()
        return len(pending)

    async def _write(self, entries: list[tuple[Key, Pending]],
                     claims: list[tallies.Claim],
                     updates: set[str]) -> None:
        async with self.db.session() as session:
            granted = iter(await tallies.claim_many(session, claims))
            rows = []
            for (chat, user, kind, _), entry in entries:
                points = entry.points
                if entry.cap is not None and points > 0:
                    points = next(granted)
                if points:
                    rows.append((chat, user, kind, points, entry.at))
            await ContributionRepo(session).add_many(rows)
            await mark_processed_many(session, sorted(updates), datetime.now(UTC))

    def _forget_old(self) -> None:
        """Tallies of days that are over everywhere (two days back in UTC) are dropped."""
        if not self._used:
            return
        newest = max(day for *_, day in self._used)
        for key in [k for k in self._used if (newest - k[3]).days >= 2]:
            del self._used[key]
        self._days = {d for d in self._days if (newest - d[2]).days < 2}

    def migrated(self, old: str, new: str) -> None:
        """``extras["migrate_hooks"]``: pending awards and tallies follow the chat's new id."""
        def moved(key: Key) -> Key:
            return (new, key[1], key[2], key[3]) if key[0] == old else key

        pending, self._pending = self._pending, {}
        for key, entry in pending.items():
            waiting = self._pending.setdefault(moved(key), Pending(0.0, entry.at, entry.cap))
            waiting.points += entry.points
        self._days = {d for d in self._days if d[0] != old}  # read again under the new id
        used, self._used = self._used, {}
        for key, tally in used.items():
            self._used[moved(key)] = self._used.get(moved(key), 0.0) + tally
