"""Duty rotation and roster review over Telegram: scheduler jobs at local times send the posts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from tests.community.conftest import START, Clock
from tests.community.standin_app import member_change, run_jobs, said, sent_to, serving
from tests.onboarding.conftest import settle

GROUP, OWNER, QUIET, ACTIVE = -1005550003, 111, 222, 333
DUTY = f"""
chats:
  "{GROUP}":
    features: {{duty: {{enabled: true, at: "09:30"}}}}
"""
ROSTER = f"""
chats:
  "{GROUP}":
    features: {{roster: {{enabled: true, inactive_days: 30, report: "weekly mon 10:00"}}}}
"""


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        server.admins[GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
        yield server


def hosts_announced(api: StandInBotApi) -> list[str]:
    return [c["text"] for c in sent_to(api, GROUP) if c["text"].startswith("Today's host is")]


async def test_duty_job_names_the_days_host_at_local_0930_and_the_rotation_moves_on(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)  # Monday 09:00 in Shanghai
    async with serving(api, tmp_path, clock, DUTY) as app:
        await api.feed(said(GROUP, QUIET, "/duty join", clock()),
                       said(GROUP, ACTIVE, "/duty join", clock()))
        await settle(api)
        joined = [c["text"] for c in sent_to(api, GROUP)]
        assert "user222 joined the duty rotation." in joined
        assert "user333 joined the duty rotation." in joined
        assert "duty" in await run_jobs(app, clock.advance(minutes=29))  # 09:29
        assert hosts_announced(api) == []
        await run_jobs(app, clock.advance(minutes=1))  # 09:30
        first = hosts_announced(api)
        assert len(first) == 1
        host = QUIET if "user222" in first[0] else ACTIVE
        assert first[0] == f"Today's host is user{host}. Thank you for looking after the group!"
        assert [c["text"] for c in sent_to(api, host)] == [
            "Reminder: you are today's host in the group."]
        await run_jobs(app, clock.advance(minutes=1))
        assert len(hosts_announced(api)) == 1  # once a day
        await run_jobs(app, clock.advance(days=1))
        nxt = ACTIVE if host == QUIET else QUIET
        assert hosts_announced(api)[1] == (
            f"Today's host is user{nxt}. Thank you for looking after the group!")
        assert len(sent_to(api, nxt)) == 1 and len(sent_to(api, host)) == 1


async def test_roster_job_posts_the_weekly_report_of_silent_members_on_monday_1000(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START - timedelta(days=40))  # activity is stamped with the app's clock
    long_ago = START - timedelta(days=60)
    async with serving(api, tmp_path, clock, ROSTER) as app:
        await api.feed(member_change(GROUP, QUIET, "left", "member", long_ago),
                       member_change(GROUP, ACTIVE, "left", "member", long_ago),
                       said(GROUP, QUIET, "hello", clock()))
        await settle(api)
        clock.advance(days=38)
        await api.feed(said(GROUP, ACTIVE, "hello", clock()))
        await settle(api)
        clock.now = START  # Monday 09:00 in Shanghai
        before = len(sent_to(api, GROUP))
        await run_jobs(app, clock.advance(minutes=59))  # 09:59
        assert len(sent_to(api, GROUP)) == before
        await run_jobs(app, clock.advance(minutes=1))  # 10:00
        reports = sent_to(api, GROUP)[before:]
        assert len(reports) == 1
        lines = reports[0]["text"].splitlines()
        assert lines[0].startswith("Roster review of ")
        assert lines[0].endswith(": 1 member(s) inactive for 30+ days:")
        assert len(lines) == 2 and lines[1].startswith("user222 — last active 2026-01-21 — ")
        await run_jobs(app, clock.advance(minutes=1))
        await run_jobs(app, clock.advance(days=6, hours=23, minutes=58))  # next Mon 09:59
        assert len(sent_to(api, GROUP)) == before + 1  # weekly: nothing in between
        await run_jobs(app, clock.advance(minutes=1))  # next Monday 10:00
        assert len(sent_to(api, GROUP)) == before + 2
        assert sent_to(api, GROUP)[-1]["text"].splitlines()[1].startswith("user222 — ")
        assert api.of("banChatMember") == []  # remove is off: a report, no removals
