"""InsightRepo: the dashboard's numbers from data written through the real recording path."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.desk import Cohort
from bot.events import Role, Sender
from bot.snapshots import ActivityBuffer
from storage.checkins import CheckinRepo
from storage.contributions import ContributionRepo
from storage.db import Database
from storage.insights import InsightRepo
from storage.members import MemberRepo
from storage.moderation import SqlModerationStore
from storage.warns import WarnRepo
from tests.storage.conftest import CHAT, NOW

SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8: NOW (12:00 UTC) is 20:00 local
OTHER = "tg:-1009"
ANN, BOB, CAT = Sender("tg:1", "Ann", "ann"), Sender("tg:2", "Bob", "bobby"), Sender("tg:3", "猫")


async def _post(db: Database, *messages: tuple[str, Sender, datetime]) -> None:
    """Messages through the activity buffer and one flush, as the message handler does."""
    buffer = ActivityBuffer(SqlModerationStore(db), zone=lambda chat: SHANGHAI)
    for chat, sender, when in messages:
        await buffer.note(chat, sender, when)
    await buffer.flush()


async def test_overview_counts_messages_and_distinct_posters_per_local_day(db: Database) -> None:
    yesterday = NOW - timedelta(days=1)  # 20:00 on the 21st in Shanghai
    after_midnight = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)  # 01:30 on the 22nd locally
    await _post(db, *[(CHAT, ANN, yesterday)] * 3, (CHAT, BOB, after_midnight),
                (CHAT, ANN, NOW), (CHAT, ANN, NOW), (OTHER, CAT, NOW))
    async with db.session() as session:
        view = await InsightRepo(session).overview([CHAT], now=NOW, days=3, tz=SHANGHAI)
    assert [p.day for p in view.days] == [date(2026, 11, 20), date(2026, 11, 21),
                                          date(2026, 11, 22)]
    assert [(p.messages, p.active) for p in view.days] == [(0, 0), (3, 1), (3, 2)]
    assert view.hours[20] == 5 and view.hours[1] == 1 and sum(view.hours) == 6
    assert view.active_7d == 2 and view.chats == (CHAT,)


async def test_a_second_flush_adds_to_the_day_and_hour_already_stored(db: Database) -> None:
    await _post(db, (CHAT, ANN, NOW), (CHAT, ANN, NOW - timedelta(minutes=5)))
    await _post(db, (CHAT, ANN, NOW + timedelta(minutes=10)), (CHAT, BOB, NOW))
    async with db.session() as session:
        view = await InsightRepo(session).overview([CHAT, OTHER], now=NOW + timedelta(hours=1),
                                                   days=1, tz=SHANGHAI)
        ann = await MemberRepo(session).get(CHAT, ANN.id)
    assert (view.days[0].messages, view.days[0].active) == (4, 2)
    assert ann is not None and ann.message_count == 3  # the member counter is kept as before


async def test_overview_joins_leaves_members_and_retention_cohorts(db: Database) -> None:
    def ago(days: int) -> datetime:
        return NOW - timedelta(days=days)

    async with db.session() as session:
        members = MemberRepo(session)
        for user, joined, left in (("tg:a", 10, None), ("tg:b", 20, 15), ("tg:c", 35, 20),
                                   ("tg:d", 3, None), ("tg:e", 50, None)):
            await members.joined(CHAT, Sender(user), ago(joined))
            if left is not None:
                await members.left(CHAT, user, ago(left))
    async with db.session() as session:
        view = await InsightRepo(session).overview([CHAT], now=NOW, days=30)
    by_day = {p.day: p for p in view.days}
    assert len(view.days) == 30 and view.days[-1].day == NOW.date()
    assert [by_day[ago(n).date()].joins for n in (10, 20, 3)] == [1, 1, 1]
    assert [by_day[ago(n).date()].leaves for n in (15, 20)] == [1, 1]
    assert sum(p.joins for p in view.days) == 3 and sum(p.leaves for p in view.days) == 2
    assert view.members == 3  # a, d and e: b and c left
    # 7 days: a, b, c joined 37..7 days ago; b left after 5 days. 30 days: c and e joined
    # 60..30 days ago; c left after 15 days.
    assert view.retention == (Cohort(7, 3, 2), Cohort(30, 2, 1))


async def _roster(db: Database) -> None:
    await _post(db, *[(CHAT, ANN, NOW - timedelta(days=1))] * 60, (CHAT, BOB, NOW))
    async with db.session() as session:
        members = MemberRepo(session)
        await members.joined(CHAT, ANN, NOW - timedelta(days=40))
        await members.joined(CHAT, BOB, NOW - timedelta(days=20))
        await members.joined(CHAT, CAT, NOW - timedelta(days=2))
        await members.joined(CHAT, Sender("tg:4", "Dan"), NOW - timedelta(days=90))
        await members.left(CHAT, "tg:4", NOW - timedelta(days=60))
        await members.upsert(CHAT, "tg:5", name="Mod", role=Role.ADMIN,
                             joined_at=NOW - timedelta(days=200))
        points = ContributionRepo(session)
        await points.add(CHAT, BOB.id, "thanks", 5.0, NOW)
        await points.add(CHAT, BOB.id, "message", 1.5, NOW)
        await points.add(CHAT, ANN.id, "message", 2.0, NOW)
        await points.add(OTHER, CAT.id, "thanks", 99.0, NOW)
        warns = WarnRepo(session)
        await warns.add(CHAT, BOB.id, reason="a", at=NOW, expires_at=NOW + timedelta(days=1))
        await warns.add(CHAT, BOB.id, reason="old", at=NOW - timedelta(days=9),
                        expires_at=NOW - timedelta(days=1))
        checkins = CheckinRepo(session)
        for n in range(3):
            await checkins.record(CHAT, ANN.id, NOW.date() - timedelta(days=n), NOW)


async def test_members_page_orders_by_points_then_messages_with_aggregates(db: Database) -> None:
    await _roster(db)
    async with db.session() as session:
        page = await InsightRepo(session).members(
            CHAT, now=NOW, inactive_before=NOW - timedelta(hours=12))
    assert page.total == 5
    assert [m.user for m in page.lines] == ["tg:2", "tg:1", "tg:3", "tg:4", "tg:5"]
    bob, ann, cat, dan, mod = page.lines
    assert (bob.points, bob.warns, bob.messages, bob.standing) == (6.5, 1, 1, "member")
    assert (ann.points, ann.streak, ann.messages, ann.standing) == (2.0, 3, 60, "established")
    assert (cat.standing, dan.standing, mod.standing) == ("newcomer", "left", "moderator")
    assert [m.review for m in page.lines] == [False, True, True, False, False]  # idle, unstaffed
    assert bob.joined_at == NOW - timedelta(days=20) and bob.last_seen == NOW


async def test_members_search_matches_name_username_and_id_case_insensitively(
        db: Database) -> None:
    await _roster(db)
    async with db.session() as session:
        repo = InsightRepo(session)
        found = {q: [m.user for m in (await repo.members(CHAT, query=q, now=NOW)).lines]
                 for q in ("ANN", "@Bob", "tg:4", "猫", "nobody")}
        second = await repo.members(CHAT, now=NOW, offset=1, limit=2)
    assert found == {"ANN": ["tg:1"], "@Bob": ["tg:2"], "tg:4": ["tg:4"], "猫": ["tg:3"],
                     "nobody": []}
    assert [m.user for m in second.lines] == ["tg:1", "tg:3"] and second.total == 5


async def test_checkin_board_streaks_completion_and_days(db: Database) -> None:
    today = date(2026, 11, 22)
    async with db.session() as session:
        await MemberRepo(session).joined(CHAT, ANN, NOW)
        checkins = CheckinRepo(session)
        for n in range(5):  # Ann: the last five days, today included
            await checkins.record(CHAT, ANN.id, today - timedelta(days=n), NOW)
        for n in (1, 2, 10, 11, 12, 13, 14, 15):  # Bob: 6 in a row long ago, 2 up to yesterday
            await checkins.record(CHAT, BOB.id, today - timedelta(days=n), NOW)
        await checkins.record(OTHER, CAT.id, today, NOW)
    async with db.session() as session:
        board = await InsightRepo(session).checkins(CHAT, today=today, goal=6)
    assert [(ln.user, ln.name, ln.streak, ln.best, ln.total, ln.completed)
            for ln in board.lines] == [("tg:1", "Ann", 5, 5, 5, False),
                                       ("tg:2", "", 2, 6, 8, True)]
    assert board.lines[1].last_day == today - timedelta(days=1)
    assert board.today == 1 and len(board.days) == 30 and board.days[-1].day == today
    assert [p.messages for p in board.days[-3:]] == [2, 2, 1]
    assert sum(p.messages for p in board.days) == 13


async def test_export_members_and_points_give_header_and_rows(db: Database) -> None:
    await _roster(db)
    async with db.session() as session:
        repo = InsightRepo(session)
        members = await repo.export_members(CHAT, now=NOW)
        points = await repo.export_points(CHAT)
    header, rows = members
    assert header[:5] == ["user", "name", "username", "standing", "points"] and len(rows) == 5
    assert rows[0][:8] == ["tg:2", "Bob", "bobby", "member", "6.5", "0", "1", "1"]
    assert points == (["user", "name", "total", "message", "thanks"],
                      [["tg:2", "Bob", "6.5", "1.5", "5"], ["tg:1", "Ann", "2", "2", "0"]])



async def test_a_chat_without_a_known_zone_counts_by_utc_day(db: Database) -> None:
    def zone(chat: str) -> ZoneInfo:
        raise KeyError(chat)  # a chat the profile book does not know

    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # already the 22nd in Shanghai
    buffer = ActivityBuffer(SqlModerationStore(db), zone=zone)
    await buffer.note(CHAT, ANN, late)
    await buffer.note(CHAT, ANN, late + timedelta(minutes=40))  # the next UTC hour and day
    await buffer.flush()
    async with db.session() as session:
        view = await InsightRepo(session).overview([CHAT], now=NOW, days=2)
    assert [(p.day, p.messages, p.active) for p in view.days] == [
        (date(2026, 11, 21), 1, 1), (date(2026, 11, 22), 1, 1)]
    assert (view.hours[23], view.hours[0]) == (1, 1)


async def test_purging_drops_day_and_hour_counts_older_than_the_horizon_only(
        db: Database) -> None:
    from storage.insights_activity import purge_activity

    old = NOW - timedelta(days=500)
    await _post(db, (CHAT, ANN, old), (CHAT, BOB, old), (CHAT, ANN, NOW))
    async with db.session() as session:
        assert await purge_activity(session, NOW - timedelta(days=400)) == 3  # 2 days + 1 hour
    async with db.session() as session:
        view = await InsightRepo(session).overview([CHAT], now=NOW, days=1, tz=SHANGHAI)
    assert view.days[-1].messages == 1 and sum(view.hours) == 1
