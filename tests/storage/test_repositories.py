"""Repositories on SQLite and PostgreSQL: migrations, warns, log, migration of chats, queues."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.events import Sender
from bot.ports import LogEntry
from bot.verdict import Action
from storage.chats import ChatRepo
from storage.checkins import CheckinRepo
from storage.contributions import ContributionRepo
from storage.db import Database
from storage.deletions import SqlPendingDeletions
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.models import CHAT_TABLES
from storage.queue import JoinQueueRepo
from storage.state import ClassifierRepo, DutyRepo, GateRepo, StateRepo
from storage.updates import SqlProcessedKeys
from storage.warns import WarnRepo

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
CHAT = "tg:-1001"


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
