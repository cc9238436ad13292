"""Raids across workers: ads and joins counted in one shared window per chat, one shared raid
switch, one announcement and one summary (``storage.redis_raid`` keeps them on Redis)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from bot.raid import Raid, RaidRule, RaidWatch

log = logging.getLogger(__name__)

#: a raid's whole tally: messages deleted, their senders, members banned, members locked
Tally = tuple[int, set[str], set[str], set[str]]


class RaidReport(NamedTuple):
    started: bool  # this report switched the chat to raid handling
    left: float  # seconds the chat's switch stays on (0: no raid)
    ads: int  # ads removed in the chat within the window, by every worker


class Closing(NamedTuple):
    left: float  # the switch is still on this long (another worker's ads): not ended
    tally: Tally | None  # the ended raid's tally (None: none kept)
    won: bool  # this worker sends the summary


class RaidBoard(Protocol):
    """The shared windows and switches (``storage.redis_raid.RedisRaidBoard``)."""

    async def report(self, chat: str, rule: RaidRule, *, ads: Sequence[str], joins: int,
                     banned: Sequence[str], locked: Sequence[str]) -> RaidReport:
        """Count ``ads`` (their senders) and ``joins``; while a raid is on, add to its tally."""
        ...

    async def close(self, chat: str, *, force: bool = False) -> Closing: ...

    async def tell(self, chat: str) -> bool: ...

    async def active(self) -> dict[str, float]:
        """Every chat whose switch is on, with the seconds it stays on."""
        ...


@dataclass
class _Unsent:
    ads: list[str] = field(default_factory=list)
    joins: int = 0


@dataclass
class SharedRaid(Raid):
    """A raid as this worker mirrors it; the banned and locked it has reported."""

    sent_banned: set[str] = field(default_factory=set)
    sent_locked: set[str] = field(default_factory=set)


class SharedRaidWatch(RaidWatch):
    """A ``RaidWatch`` whose windows and switch are shared: each ad and join is reported to
    the board (batched per chat, off the update path); the report that reaches a limit
    switches the chat on for every worker, and ``announce`` tells the others at once (the
    coherence bus). This worker's mirror answers ``raid(chat)`` synchronously; every report,
    announcement and the raid's end refresh it. Without the board (unreachable), this
    worker counts alone, as one process does, until the board answers again."""

    def __init__(self, board: RaidBoard, rule: RaidRule | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 announce: Callable[[str, float], None] | None = None) -> None:
        super().__init__(rule, clock)
        self.board = board
        self.announce = announce
        self._unsent: dict[str, _Unsent] = {}
        self._sending: dict[str, asyncio.Task[None]] = {}
        self._shared_ads: dict[str, tuple[int, float]] = {}
        self._alone_until = float("-inf")

    def _alone(self) -> bool:
        return self.clock() < self._alone_until

    def ad(self, chat: str, member: str) -> Raid | None:
        if self._alone():
            return super().ad(chat, member)
        self._burst(self._ads, chat, self.rule.ads)  # this worker's share (the fallback)
        raid = self._touch(chat, False)
        if raid is not None:
            raid.deleted += 1
            raid.members.add(member)
        if self.rule.ads > 0 or raid is not None:  # counted, or part of a raid's tally
            self._unsent_of(chat).ads.append(member)
        return raid

    def join(self, chat: str) -> Raid | None:
        if self._alone():
            return super().join(chat)
        self._burst(self._joins, chat, self.rule.joins)
        raid = self._touch(chat, False)
        if self.rule.joins > 0 or raid is not None:
            self._unsent_of(chat).joins += 1
        return raid

    def recent_ads(self, chat: str) -> int:
        shared, at = self._shared_ads.get(chat, (0, float("-inf")))
        fresh = shared if self.clock() - at <= self.rule.seconds else 0
        return max(super().recent_ads(chat), fresh)

    def switch(self, chat: str, left: float) -> Raid:
        """The chat's raid goes on ``left`` more seconds (a report, another worker's word)."""
        now = self.clock()
        last = now - self.rule.seconds + left
        raid = self._raids.get(chat)
        if raid is None or now - raid.last > self.rule.seconds:
            raid = self._raids[chat] = SharedRaid(now, last)
            if len(self._raids) > 10_000:  # forget ended raids nobody summarised here
                for ended in [c for c, r in self._raids.items() if now - r.last > 60]:
                    del self._raids[ended]
        else:
            raid.last = max(raid.last, last)
        return raid

    def _unsent_of(self, chat: str) -> _Unsent:
        unsent = self._unsent.get(chat)
        if unsent is None:
            unsent = self._unsent[chat] = _Unsent()
        task = self._sending.get(chat)
        if task is None or task.done():
            self._sending[chat] = asyncio.get_running_loop().create_task(self._send(chat))
        return unsent

    async def _send(self, chat: str) -> None:
        """Report what waits for ``chat``, one call at a time (a burst goes in few calls)."""
        while True:
            await asyncio.sleep(0)  # what the same moment adds goes in the same call
            unsent = self._unsent.pop(chat, None)
            raid = self._raids.get(chat)
            banned: set[str] = set()
            locked: set[str] = set()
            if isinstance(raid, SharedRaid):
                banned, locked = raid.banned - raid.sent_banned, raid.locked - raid.sent_locked
                raid.sent_banned |= banned
                raid.sent_locked |= locked
            if unsent is None and not banned and not locked:
                break
            unsent = unsent or _Unsent()
            try:
                report = await self.board.report(chat, self.rule, ads=unsent.ads,
                                                 joins=unsent.joins, banned=sorted(banned),
                                                 locked=sorted(locked))
            except Exception as exc:
                self._unreachable(exc)
                continue
            self._shared_ads[chat] = (report.ads, self.clock())
            if report.left > 0:
                self.switch(chat, report.left)
            if report.started:
                log.info("raid in %s: switched on for every worker", chat)
                if self.announce is not None:
                    self.announce(chat, report.left)
        if self._sending.get(chat) is asyncio.current_task():
            del self._sending[chat]

    def _unreachable(self, exc: Exception) -> None:
        if not self._alone():
            log.warning("raid board unreachable (%s): counting this worker's share alone", exc)
        self._alone_until = self.clock() + 5.0

    async def _sent(self, chat: str) -> None:
        """Wait until what this worker saw in ``chat`` is reported (banned and locked too)."""
        task = self._sending.get(chat)
        if task is not None and not task.done():
            await asyncio.shield(task)
        raid = self._raids.get(chat)
        if isinstance(raid, SharedRaid) and (raid.banned - raid.sent_banned
                                             or raid.locked - raid.sent_locked):
            await self._send(chat)

    async def ended(self, chat: str, *, force: bool = False) -> Raid | None:
        """None while the raid goes on (here or on another worker: the mirror is extended);
        once over, the whole raid's tally, with ``tell`` for the one worker that sends it."""
        raid = self._raids.get(chat)
        if raid is None or (not force and self.raid(chat) is not None):
            return None
        try:
            await self._sent(chat)
            closing = await self.board.close(chat, force=force)
        except Exception as exc:
            self._unreachable(exc)
            return self.finish(chat, force=force)
        if closing.left > 0:
            self.switch(chat, closing.left)
            return None
        self._raids.pop(chat, None)
        if closing.tally is None:
            return raid
        raid.deleted, raid.members, raid.banned, raid.locked = closing.tally
        raid.tell = closing.won
        return raid

    async def tells(self, chat: str) -> bool:
        try:
            return await self.board.tell(chat)
        except Exception as exc:
            self._unreachable(exc)
            return True

    async def resync(self) -> int:
        """Adopt every switch that is on (after missing the bus for a while); how many."""
        active = await self.board.active()
        for chat, left in active.items():
            self.switch(chat, left)
        return len(active)
