"""A clock-injectable scheduler: daily local-time, weekly and cron-like jobs, run when due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Schedule(Protocol):
    """When something happens: the first moment strictly after ``moment`` (aware UTC)."""

    def next_after(self, moment: datetime) -> datetime: ...


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def parse_time(text: str) -> time:
    """``"09:00"`` or ``"9:30"`` → time; raises ValueError otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit():
        raise ValueError(f"invalid time {text!r}: use HH:MM")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, slots=True)
class Daily:
    """Every day at a local time in ``tz``."""

    at: time
    tz: str = "UTC"

    def next_after(self, moment: datetime) -> datetime:
        zone = ZoneInfo(self.tz)
        day = moment.astimezone(zone).date()
        for offset in range(3):
            candidate = _local(day + timedelta(days=offset), self.at, zone)
            if candidate > moment:
                return candidate
        raise AssertionError("unreachable: a day always has the time")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Weekly:
    """Every week on ``weekday`` (0 = Monday) at a local time in ``tz``."""

    weekday: int
    at: time
    tz: str = "UTC"

    def next_after(self, moment: datetime) -> datetime:
        zone = ZoneInfo(self.tz)
        day = moment.astimezone(zone).date()
        for offset in range(9):
            candidate_day = day + timedelta(days=offset)
            if candidate_day.weekday() != self.weekday:
                continue
            candidate = _local(candidate_day, self.at, zone)
            if candidate > moment:
                return candidate
        raise AssertionError("unreachable: a week always has the weekday")  # pragma: no cover


def _field(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> frozenset[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"invalid step in {text!r}")
        if body == "*":
            start, end = low, high
        else:
            first, _, last = body.partition("-")
            start = names.index(first) + low if first in names else int(first)
            end = (names.index(last) + low if last in names else int(last)) if last else start
            if step_text and not last:
                end = high
        if not low <= start <= end <= high:
            raise ValueError(f"{text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Cron:
    """Five-field cron (minute hour day-of-month month day-of-week) in local time ``tz``.

    Day-of-week is 0-7 (0 and 7 are Sunday) or mon..sun; as in cron, when both day fields are
    restricted a day matches either.
    """

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday
    any_day: bool
    any_weekday: bool
    tz: str = "UTC"

    @classmethod
    def parse(cls, expr: str, tz: str = "UTC") -> Cron:
        parts = expr.split()
        if len(parts) != 5:
            raise ValueError(f"cron {expr!r} needs five fields: minute hour day month weekday")
        minute, hour, dom, month, dow = parts
        sunday_first = _field(dow, 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat"))
        weekdays = frozenset((d - 1) % 7 for d in sunday_first)
        return cls(_field(minute, 0, 59), _field(hour, 0, 23), _field(dom, 1, 31),
                   _field(month, 1, 12), weekdays, dom == "*", dow == "*", tz)

    def _day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_dom = day.day in self.days
        by_dow = day.weekday() in self.weekdays
        if self.any_day or self.any_weekday:
            return by_dom and by_dow
        return by_dom or by_dow

    def next_after(self, moment: datetime) -> datetime:
        zone = ZoneInfo(self.tz)
        start = moment.astimezone(zone).date()
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        for offset in range(366 * 5):
            day = start + timedelta(days=offset)
            if not self._day_matches(day):
                continue
            for hour in hours:
                for minute in minutes:
                    candidate = _local(day, time(hour, minute), zone)
                    if candidate > moment:
                        return candidate
        raise ValueError("cron expression never fires")


def parse_schedule(spec: str, tz: str = "UTC") -> Schedule:
    """``"daily 09:00"``, ``"weekly mon 10:00"`` or a five-field cron expression."""
    words = spec.split()
    if words and words[0].lower() == "daily" and len(words) == 2:
        return Daily(parse_time(words[1]), tz)
    if words and words[0].lower() == "weekly" and len(words) == 3:
        day = words[1].lower()[:3]
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {words[1]!r}: use mon..sun")
        return Weekly(WEEKDAYS.index(day), parse_time(words[2]), tz)
    return Cron.parse(spec, tz)


JobFn = Callable[[datetime], Awaitable[object]]


@dataclass
class Job:
    """A named schedule and the coroutine function, called with the moment it actually runs."""

    name: str
    schedule: Schedule
    fn: JobFn
    next_at: datetime
    runs: int = 0
    failures: int = 0


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Scheduler:
    """Runs each job when its time comes. ``run_due(now)`` is the whole logic (tests call it);
    ``start()`` runs it in a background loop that wakes at the next due time."""

    clock: Callable[[], datetime] = utcnow
    max_sleep: float = 60.0
    jobs: dict[str, Job] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None

    def add(self, name: str, schedule: Schedule, fn: JobFn) -> Job:
        if name in self.jobs:
            raise ValueError(f"job {name!r} scheduled twice")
        job = self.jobs[name] = Job(name, schedule, fn, schedule.next_after(self.clock()))
        return job

    def next_wake(self) -> datetime | None:
        return min((job.next_at for job in self.jobs.values()), default=None)

    async def run_due(self, now: datetime | None = None) -> list[str]:
        """Run every job due at ``now`` once (missed repetitions are not replayed)."""
        now = now or self.clock()
        ran: list[str] = []
        for job in sorted(self.jobs.values(), key=lambda j: j.next_at):
            if job.next_at > now:
                continue
            job.next_at = job.schedule.next_after(now)
            try:
                await job.fn(now)
                job.runs += 1
            except Exception:
                job.failures += 1
                log.exception("scheduled job %s failed", job.name)
            ran.append(job.name)
        return ran

    async def run(self) -> None:
        while True:
            await self.run_due()
            upcoming = self.next_wake()
            delay = self.max_sleep
            if upcoming is not None:
                delay = min(delay, max(0.0, (upcoming - self.clock()).total_seconds()))
            await asyncio.sleep(delay + 0.01)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="qunguan-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
