"""Join-request queue, pending deletions and processed keys: order, idempotence, concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from storage.db import Database
from storage.deletions import SqlPendingDeletions
from storage.queue import JoinQueueRepo
from storage.testing import second_engine
from storage.updates import SqlProcessedKeys, mark_processed, purge_processed
from tests.storage.conftest import CHAT, NOW

HANG_GUARD_S = 30  # only turns a deadlock into a failure; nothing is timed


async def _enqueue(db: Database, count: int) -> None:
    async with db.session() as s:
        for n in range(count):
            await JoinQueueRepo(s).enqueue(CHAT, f"tg:{n}", f"ref{n}",
                                           NOW + timedelta(seconds=n), name=f"user {n}")


async def test_join_queue_is_first_come_and_idempotent(db: Database) -> None:
    async with db.session() as s:
        queue = JoinQueueRepo(s)
        assert await queue.enqueue(CHAT, "tg:1", "a", NOW) == 1
        assert await queue.enqueue(CHAT, "tg:2", "b", NOW) == 2
        assert await queue.enqueue(CHAT, "tg:1", "a", NOW + timedelta(1)) == 1
        assert await queue.enqueue(CHAT, "tg:3", "c", NOW) == 3
        assert await queue.remove(CHAT, "tg:2")
        first = await queue.pop_next(CHAT)
        assert first is not None and (first.user_id, first.ref, first.created_at) == (
            "tg:1", "a", NOW)
        assert await queue.position(CHAT, "tg:3") == 1
        assert [e.user_id for e in await queue.list(CHAT)] == ["tg:3"]
        assert await queue.pop_next("tg:-404") is None


async def test_pops_from_two_processes_hand_out_each_request_once(db: Database) -> None:
    await _enqueue(db, 30)
    other = await second_engine(db)

    async def pop(worker: Database) -> str | None:
        async with worker.session() as s:
            entry = await JoinQueueRepo(s).pop_next(CHAT)
            await asyncio.sleep(0)
            return entry.user_id if entry else None

    try:
        popped = await asyncio.wait_for(asyncio.gather(
            *(pop(worker) for _ in range(20) for worker in (db, other))), HANG_GUARD_S)
    finally:
        await other.dispose()
    taken = [p for p in popped if p is not None]
    assert len(taken) == 30 and len(set(taken)) == 30 and popped.count(None) == 10


async def test_a_locked_request_is_skipped_not_handed_out_twice(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has one writer at a time; row locks are PostgreSQL's")
    await _enqueue(db, 3)
    other = await second_engine(db)
    try:
        async with db.session() as holding:
            first = await JoinQueueRepo(holding).pop_next(CHAT)  # not committed yet
            async with other.session() as s:
                second = await asyncio.wait_for(JoinQueueRepo(s).pop_next(CHAT), HANG_GUARD_S)
    finally:
        await other.dispose()
    assert first is not None and second is not None
    assert (first.user_id, second.user_id) == ("tg:0", "tg:1")


async def test_pending_deletions_due_and_next_due(db: Database) -> None:
    pending = SqlPendingDeletions(db)
    assert await pending.next_due() is None
    await pending.add(CHAT, "3", NOW + timedelta(minutes=1))
    await pending.add(CHAT, "2", NOW)
    await pending.add(CHAT, "1", NOW - timedelta(minutes=1))
    assert await pending.next_due() == NOW - timedelta(minutes=1)
    assert await pending.take_due(NOW, limit=1) == [(CHAT, "1")]
    assert await pending.take_due(NOW) == [(CHAT, "2")]
    assert await pending.take_due(NOW) == []
    due = await pending.next_due()
    assert due == NOW + timedelta(minutes=1) and due.utcoffset() == timedelta(0)


async def test_pending_deletions_taken_by_two_workers_once(db: Database) -> None:
    pending = SqlPendingDeletions(db)
    for n in range(40):
        await pending.add(CHAT, str(n), NOW)
    other = await second_engine(db)
    try:
        batches = await asyncio.wait_for(asyncio.gather(
            *(SqlPendingDeletions(w).take_due(NOW, limit=3) for _ in range(10)
              for w in (db, other))), HANG_GUARD_S)
    finally:
        await other.dispose()
    taken = [message for batch in batches for _, message in batch]
    assert sorted(taken, key=int) == [str(n) for n in range(40)]


async def test_processed_keys_dedupe(db: Database) -> None:
    async with db.session() as s:
        assert await mark_processed(s, "tg:1", NOW)
        assert not await mark_processed(s, "tg:1", NOW)
    async with db.session() as s:
        assert not await mark_processed(s, "tg:1", NOW + timedelta(1))
    keys = SqlProcessedKeys(db)
    await keys.add_many(["tg:1", "tg:2", "tg:2"], NOW)
    await keys.add_many(["tg:2", "tg:3"], NOW + timedelta(days=3))
    assert sorted(await keys.since(NOW - timedelta(hours=1))) == ["tg:1", "tg:2", "tg:3"]
    async with db.session() as s:
        assert await purge_processed(s, NOW + timedelta(days=1)) == 2
    assert await keys.since(NOW - timedelta(hours=1)) == ["tg:3"]
    assert await keys.add("tg:1", NOW)  # forgotten, so new again
