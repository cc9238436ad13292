"""Community state: contribution points, check-in streaks, duty roster, entry gates, models."""

from __future__ import annotations

from datetime import date, timedelta

from storage.checkins import CheckinRepo
from storage.classifier import ClassifierRepo
from storage.contributions import ContributionRepo
from storage.db import Database
from storage.duty import DutyRepo
from storage.gates import GateRepo
from tests.storage.conftest import CHAT, NOW

OTHER = "tg:-1002"


async def test_points_total_across_a_network_and_since_a_time(db: Database) -> None:
    async with db.session() as s:
        points = ContributionRepo(s)
        await points.add(CHAT, "tg:7", "answer", 5.0, NOW - timedelta(days=10))
        await points.add(CHAT, "tg:7", "message", 0.5, NOW)
        await points.add(OTHER, "tg:7", "answer", 2.0, NOW)
        await points.add("tg:-9", "tg:7", "answer", 100.0, NOW)
        assert await points.total([CHAT, OTHER], "tg:7") == 7.5
        assert await points.total([CHAT, OTHER], "tg:7", since=NOW - timedelta(days=1)) == 2.5
        assert await points.total([CHAT], "tg:404") == 0.0


async def test_leaderboard_orders_members_by_points(db: Database) -> None:
    async with db.session() as s:
        points = ContributionRepo(s)
        for user, value in (("tg:1", 3.0), ("tg:2", 9.0), ("tg:3", 1.0), ("tg:1", 4.0)):
            await points.add(CHAT, user, "answer", value, NOW)
        await points.add(CHAT, "tg:3", "answer", 50.0, NOW - timedelta(days=30))
        board = await points.leaderboard([CHAT], NOW - timedelta(days=7), limit=2)
        assert board == [("tg:2", 9.0), ("tg:1", 7.0)]
        assert await points.rank([CHAT], "tg:3") == 1


async def test_sum_for_day_counts_one_kind_inside_the_day(db: Database) -> None:
    start = NOW.replace(hour=0)
    async with db.session() as s:
        points = ContributionRepo(s)
        await points.add(CHAT, "tg:7", "message", 1.0, start - timedelta(seconds=1))
        await points.add(CHAT, "tg:7", "message", 1.0, start)
        await points.add(CHAT, "tg:7", "message", 1.0, NOW)
        await points.add(CHAT, "tg:7", "answer", 5.0, NOW)
        await points.add(CHAT, "tg:7", "message", 1.0, start + timedelta(days=1))
        total = await points.sum_for_day(CHAT, "tg:7", "message", start,
                                         start + timedelta(days=1))
    assert total == 2.0


async def test_checkin_once_a_day_and_streak_across_day_gaps(db: Database) -> None:
    async with db.session() as s:
        checkins = CheckinRepo(s)
        for day in (1, 2, 3, 5, 6):
            assert await checkins.record(CHAT, "tg:7", date(2026, 11, day), NOW)
        assert not await checkins.record(CHAT, "tg:7", date(2026, 11, 6), NOW)
        streaks = [await checkins.streak(CHAT, "tg:7", date(2026, 11, d)) for d in (6, 7, 8)]
    assert [(x.current, x.best, x.total) for x in streaks] == [(2, 3, 5), (2, 3, 5), (0, 3, 5)]


async def test_checkin_leaderboard_by_current_streak(db: Database) -> None:
    today = date(2026, 11, 22)
    async with db.session() as s:
        checkins = CheckinRepo(s)
        for user, days in (("tg:1", (20, 21, 22)), ("tg:2", (1, 2, 3, 4, 5, 22)),
                           ("tg:3", (10, 11, 12, 13))):
            for day in days:
                await checkins.record(CHAT, user, date(2026, 11, day), NOW)
        board = await checkins.leaderboard(CHAT, today)
    assert [(user, streak.current) for user, streak in board] == [
        ("tg:1", 3), ("tg:2", 1), ("tg:3", 0)]


async def test_duty_roster_keeps_join_order(db: Database) -> None:
    async with db.session() as s:
        duty = DutyRepo(s)
        for n, user in enumerate(("tg:3", "tg:1", "tg:2")):
            assert await duty.join(CHAT, user, user, NOW + timedelta(minutes=n))
        assert not await duty.join(CHAT, "tg:1", "again", NOW + timedelta(hours=1))
        assert await duty.leave(CHAT, "tg:1") and not await duty.leave(CHAT, "tg:1")
        assert [user for user, _ in await duty.list(CHAT)] == ["tg:3", "tg:2"]


async def test_gate_answer_and_expiry(db: Database) -> None:
    async with db.session() as s:
        gates = GateRepo(s)
        await gates.open(CHAT, "tg:1", answer="Seven", deadline=NOW + timedelta(minutes=5),
                         at=NOW)
        await gates.open(CHAT, "tg:2", answer="4", deadline=NOW + timedelta(minutes=1), at=NOW)
        assert await gates.answer(CHAT, "tg:1", "8", NOW) is False
        assert await gates.answer(CHAT, "tg:1", "  seven ", NOW) is True
        assert await gates.get(CHAT, "tg:1") is None
        assert await gates.list_expired(NOW) == []
        expired = await gates.list_expired(NOW + timedelta(minutes=2))
        assert [(g.user_id, g.deadline.utcoffset()) for g in expired] == [("tg:2", timedelta(0))]
        assert await gates.answer(CHAT, "tg:2", "4", NOW + timedelta(minutes=2)) is None


async def test_classifier_state_roundtrips_bytes(db: Database) -> None:
    blob = bytes(range(256)) * 64
    async with db.session() as s:
        models = ClassifierRepo(s)
        assert await models.load("global") is None
        await models.save("global", b"v1", NOW)
        await models.save("global", blob, NOW + timedelta(1))
    async with db.session() as s:
        assert await ClassifierRepo(s).load("global") == blob
        assert await ClassifierRepo(s).updated_at("global") == NOW + timedelta(1)
