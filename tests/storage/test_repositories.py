"""Repositories on SQLite and PostgreSQL: migrations, warns, log, migration of chats, queues."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import inspect

from bot.events import Role, Sender
from bot.ports import LogEntry
from bot.verdict import Action
from storage.chats import ChatRepo
from storage.checkins import CheckinRepo
from storage.contributions import ContributionRepo
from storage.db import Database
from storage.deletions import SqlPendingDeletions
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.models import CHAT_TABLES, Base
from storage.moderation import SqlModerationStore
from storage.queue import JoinQueueRepo
from storage.state import ClassifierRepo, DutyRepo, GateRepo, StateRepo
from storage.updates import SqlProcessedKeys
from storage.warns import WarnRepo

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
CHAT = "tg:-1001"


async def test_migration_creates_every_table_on_an_empty_database(db: Database) -> None:
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    await db.upgrade()  # idempotent


async def test_warns_count_only_while_unexpired_and_unrevoked(db: Database) -> None:
    store = SqlModerationStore(db)
    async with store.transaction() as tx:
        await tx.add_warn(CHAT, "tg:7", reason="old", at=NOW - timedelta(days=40),
                          expires_at=NOW - timedelta(days=10))
        _, count = await tx.add_warn(CHAT, "tg:7", reason="new", at=NOW,
                                     expires_at=NOW + timedelta(days=30))
    assert count == 1
    assert (await store.snapshot(CHAT, "tg:7", NOW)).warns_active == 1
    assert (await store.snapshot(CHAT, "tg:7", NOW + timedelta(days=31))).warns_active == 0
    async with db.session() as session:
        assert await WarnRepo(session).revoke_latest(CHAT, "tg:7", NOW) is not None
    assert (await store.snapshot(CHAT, "tg:7", NOW)).warns_active == 0


async def test_log_keeps_the_full_content_and_aware_times(db: Database) -> None:
    content = {"segments": [{"kind": "text", "text": "加我薇信 ab12"}], "sender": {"id": "tg:7"}}
    entry = LogEntry(CHAT, "tg:7", Action.WARN, NOW, symbols={"AD_CONTACT_WECHAT": 6.0},
                     content=content, reason="ad", degraded_from=Action.MUTE)
    store = SqlModerationStore(db)
    async with store.transaction() as tx:
        log_id = await tx.log(entry)
    await store.set_outcome(log_id, "delete: ok")
    async with db.session() as session:
        got = await LogRepo(session).get(log_id)
    assert got is not None and got.content == content and got.outcome == "delete: ok"
    assert got.created_at == NOW and got.created_at.tzinfo is not None
    assert got.degraded_from is Action.MUTE and got.symbols == {"AD_CONTACT_WECHAT": 6.0}
    async with db.session() as session:
        assert await LogRepo(session).purge_older_than(NOW + timedelta(days=31)) == 1


async def test_member_touch_counts_messages_and_keeps_roles(db: Database) -> None:
    store = SqlModerationStore(db)
    await store.touch(CHAT, Sender("tg:7", "Ann", "Ann_X", Role.ADMIN), NOW, 3)
    await store.touch(CHAT, Sender("tg:7", "Ann"), NOW + timedelta(hours=1), 2)
    snap = await store.snapshot(CHAT, "tg:7", NOW)
    assert snap.message_count == 5 and snap.role is Role.ADMIN
    async with db.session() as session:
        found = await MemberRepo(session).by_username(CHAT, "@ann_x")
    assert found is not None and found.user_id == "tg:7"


async def test_migrate_moves_rows_of_every_table_to_the_new_chat_id(db: Database) -> None:
    new = "tg:-1002"
    async with db.session() as s:
        await ChatRepo(s).upsert(CHAT, at=NOW, title="old group")
        await MemberRepo(s).joined(CHAT, Sender("tg:7", "Ann"), NOW)
        await WarnRepo(s).add(CHAT, "tg:7", reason="r", at=NOW, expires_at=NOW + timedelta(1))
        await LogRepo(s).add(LogEntry(CHAT, "tg:7", Action.WARN, NOW))
        await ContributionRepo(s).add(CHAT, "tg:7", "message", 1.0, NOW)
        await CheckinRepo(s).record(CHAT, "tg:7", date(2026, 11, 22), NOW)
        await JoinQueueRepo(s).enqueue(CHAT, "tg:8", "", NOW)
        await DutyRepo(s).join(CHAT, "tg:7", "Ann", NOW)
        await GateRepo(s).open(CHAT, "tg:9", answer="4", deadline=NOW, at=NOW)
        await StateRepo(s).put(CHAT, "duty", {"day": "2026-11-22"}, NOW)
        await ClassifierRepo(s).save(CHAT, b"model", NOW)
    await SqlPendingDeletions(db).add(CHAT, "55", NOW)
    async with db.session() as s:
        moved = await ChatRepo(s).migrate(CHAT, new, NOW)
    assert moved == len(CHAT_TABLES) + 2  # every chat table, the chat row and the classifier
    async with db.session() as s:
        assert (await ChatRepo(s).get(new)) is not None and await ChatRepo(s).get(CHAT) is None
        assert await ClassifierRepo(s).load(new) == b"model"
        assert (await CheckinRepo(s).streak(new, "tg:7", date(2026, 11, 22))).current == 1


async def test_processed_keys_dedupe_and_reload(db: Database) -> None:
    keys = SqlProcessedKeys(db)
    await keys.add_many(["tg:1", "tg:2"], NOW)
    await keys.add_many(["tg:2", "tg:3"], NOW)
    assert sorted(await keys.since(NOW - timedelta(hours=1))) == ["tg:1", "tg:2", "tg:3"]


async def test_pending_deletions_are_taken_once_when_due(db: Database) -> None:
    pending = SqlPendingDeletions(db)
    await pending.add(CHAT, "1", NOW)
    await pending.add(CHAT, "2", NOW + timedelta(minutes=1))
    assert await pending.next_due() == NOW
    assert await pending.take_due(NOW) == [(CHAT, "1")]
    assert await pending.take_due(NOW) == []
    assert await pending.next_due() == NOW + timedelta(minutes=1)


async def test_checkin_streaks_break_on_a_missed_day(db: Database) -> None:
    async with db.session() as s:
        repo = CheckinRepo(s)
        for day in (1, 2, 3, 5, 6):
            assert await repo.record(CHAT, "tg:7", date(2026, 11, day), NOW)
        assert not await repo.record(CHAT, "tg:7", date(2026, 11, 6), NOW)
        streak = await repo.streak(CHAT, "tg:7", date(2026, 11, 6))
        assert (streak.current, streak.best, streak.total) == (2, 3, 5)
        assert (await repo.streak(CHAT, "tg:7", date(2026, 11, 8))).current == 0


async def test_join_queue_is_first_come_and_idempotent(db: Database) -> None:
    async with db.session() as s:
        queue = JoinQueueRepo(s)
        assert await queue.enqueue(CHAT, "tg:1", "a", NOW) == 1
        assert await queue.enqueue(CHAT, "tg:2", "b", NOW) == 2
        assert await queue.enqueue(CHAT, "tg:1", "a", NOW) == 1
        first = await queue.pop_next(CHAT)
        assert first is not None and first.user_id == "tg:1"
        assert await queue.position(CHAT, "tg:2") == 1


async def test_concurrent_pops_never_hand_out_the_same_request(db: Database) -> None:
    async with db.session() as s:
        for n in range(20):
            await JoinQueueRepo(s).enqueue(CHAT, f"tg:{n}", "", NOW + timedelta(seconds=n))

    async def pop() -> str | None:
        async with db.session() as s:
            entry = await JoinQueueRepo(s).pop_next(CHAT)
            await asyncio.sleep(0)
            return entry.user_id if entry else None

    popped: list[str | None] = []
    for _ in range(5):
        popped += await asyncio.gather(*(pop() for _ in range(4)))
    taken = [p for p in popped if p is not None]
    assert len(taken) == len(set(taken))
