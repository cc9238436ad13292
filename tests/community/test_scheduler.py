"""The scheduler: daily and weekly local times, cron fields, due jobs run once."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.scheduler import Cron, Daily, Scheduler, Weekly, parse_schedule

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def test_daily_fires_at_the_local_time_of_the_zone() -> None:
    daily = Daily(time(9, 30), "Asia/Shanghai")
    assert daily.next_after(T0) == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert daily.next_after(datetime(2026, 3, 2, 1, 30, tzinfo=UTC)) == \
        datetime(2026, 3, 3, 1, 30, tzinfo=UTC)


def test_daily_follows_daylight_saving_changes() -> None:
    daily = Daily(time(9, 0), "Europe/Berlin")
    before = daily.next_after(datetime(2026, 3, 27, 12, tzinfo=UTC))
    after = daily.next_after(before)
    assert (before.hour, after.hour) == (8, 7)  # 09:00 CET, then 09:00 CEST


def test_weekly_fires_on_its_weekday() -> None:
    weekly = Weekly(4, time(18, 0), "Asia/Shanghai")  # Friday
    assert weekly.next_after(T0) == datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


def test_cron_fields_lists_ranges_steps_and_names() -> None:
    cron = Cron.parse("*/15 9-10 * * mon-fri", "UTC")
    saturday = datetime(2026, 3, 7, 12, tzinfo=UTC)
    assert cron.next_after(saturday) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert cron.next_after(datetime(2026, 3, 9, 9, 50, tzinfo=UTC)) == \
        datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    first_or_sunday = Cron.parse("0 8 1 * 0", "UTC")  # either day field matches, as in cron
    assert first_or_sunday.next_after(datetime(2026, 3, 2, tzinfo=UTC)) == \
        datetime(2026, 3, 8, 8, tzinfo=UTC)


@pytest.mark.parametrize("spec", ["61 * * * *", "* * *", "daily 25", "weekly xyz 10:00"])
def test_invalid_schedules_are_rejected(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_schedule(spec)


async def test_due_jobs_run_once_and_a_failure_does_not_stop_the_others() -> None:
    now = [T0]
    scheduler = Scheduler(clock=lambda: now[0])
    ran: list[datetime] = []

    async def ok(at: datetime) -> None:
        ran.append(at)

    async def broken(at: datetime) -> None:
        raise RuntimeError("boom")

    scheduler.add("a-broken", parse_schedule("daily 09:30", "Asia/Shanghai"), broken)
    scheduler.add("ok", parse_schedule("daily 09:30", "Asia/Shanghai"), ok)
    assert await scheduler.run_due(datetime(2026, 3, 2, 1, 29, tzinfo=UTC)) == []
    late = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert await scheduler.run_due(late) == ["a-broken", "ok"]
    assert await scheduler.run_due(late) == []
    assert ran == [late] and scheduler.jobs["a-broken"].failures == 1
    assert scheduler.next_wake() == datetime(2026, 3, 3, 1, 30, tzinfo=UTC)
