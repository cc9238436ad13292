"""On PostgreSQL, an update or message claimed by several workers at once is granted to one;
one member's warns taken at the same moment count 1 then 2."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.ledger import UpdateLedger, message_key
from storage.db import Database
from storage.updates import SqlProcessedKeys
from storage.warns import WarnRepo

NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def _finish_until(done: asyncio.Future[Any], workers: list[UpdateLedger]) -> None:
    """What the workers' flush loops do: finished claims are marked done, again and again."""
    while not done.done():
        for worker in workers:
            await worker.done(worker.finished())
        await asyncio.sleep(0.02)


async def test_two_workers_claiming_the_same_updates_at_once_get_each_once(pg_url: str) -> None:
    db = Database(pg_url)
    await db.upgrade()
    try:
        workers = [UpdateLedger(SqlProcessedKeys(db), shared=SqlProcessedKeys(db))
                   for _ in range(2)]
        keys = [f"tg:{n}" for n in range(20)]
        claims = asyncio.gather(*(w.claim(k) for k in keys for w in workers))
        await _finish_until(claims, workers)  # a loser waits until the winner's key is done
        assert sum(await claims) == 20
        messages = asyncio.gather(*(w.claim_message("tg:-1", str(n)) for n in range(20)
                                    for w in workers))
        await _finish_until(messages, workers)
        assert sum(await messages) == 20
        late = UpdateLedger(SqlProcessedKeys(db), shared=SqlProcessedKeys(db))  # restarted
        assert not await late.claim("tg:3")
        assert not await late.claim_message("tg:-1", "3")
        assert await late.claim_message("tg:-1", "3", "2026-12-01T00:00:00+00:00")  # an edit
    finally:
        await db.dispose()


async def test_a_claim_whose_worker_died_is_taken_over_once_its_lease_lapsed(pg_url: str
                                                                              ) -> None:
    db = Database(pg_url)
    await db.upgrade()
    try:
        lease = timedelta(seconds=10)
        dead = SqlProcessedKeys(db, worker="dead", lease=lease)
        assert await dead.add("tg:1", NOW)  # claimed, then the worker died before acting
        impatient = SqlProcessedKeys(db, worker="b", lease=lease, patience=timedelta(0))
        assert not await impatient.add("tg:1", NOW + timedelta(seconds=5))  # still its lease
        heirs = [SqlProcessedKeys(db, worker=w, lease=lease, patience=timedelta(0))
                 for w in ("b", "c")]
        later = NOW + timedelta(seconds=11)
        assert sorted(await asyncio.gather(*(h.add("tg:1", later) for h in heirs))) == [
            False, True]  # taken over by exactly one
        await heirs[0].done(["tg:1"])
        assert not await SqlProcessedKeys(db, lease=lease).add("tg:1", NOW + timedelta(days=1))
    finally:
        await db.dispose()


async def test_a_redelivery_waits_for_the_live_holder_and_is_then_a_duplicate(pg_url: str
                                                                             ) -> None:
    db = Database(pg_url)
    await db.upgrade()
    try:
        holder = UpdateLedger(shared=SqlProcessedKeys(db, worker="a"))
        other = UpdateLedger(shared=SqlProcessedKeys(db, worker="b"))
        assert await asyncio.create_task(holder.claim("tg:9"))  # its task has finished
        redelivered = asyncio.create_task(other.claim("tg:9"))
        await asyncio.sleep(0.3)
        assert not redelivered.done()  # held by a live worker, not yet durable: it waits
        assert holder.finished() == ("tg:9",)
        await holder.done(holder.finished())  # the holder's flush made it durable
        assert not await redelivered
        assert holder.finished() == ()
    finally:
        await db.dispose()


async def test_claims_of_a_cancelled_handling_are_never_marked_done(pg_url: str) -> None:
    db = Database(pg_url)
    await db.upgrade()
    try:
        ledger = UpdateLedger(shared=SqlProcessedKeys(db, worker="a"))

        async def handle() -> None:
            await ledger.claim("tg:5")
            await asyncio.sleep(60)  # the effects, interrupted

        task = asyncio.create_task(handle())
        await asyncio.sleep(0.2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert ledger.finished() == ()  # left to lapse: a redelivery is handled again
    finally:
        await db.dispose()


def test_a_long_message_key_is_hashed_to_fit_the_column() -> None:
    key = message_key("tg:" + "9" * 200, "1")
    assert len(key) <= 190 and key.startswith("m#")
    assert message_key("tg:-1", "5") == "m:tg:-1:5:"


async def test_one_members_warns_taken_at_the_same_moment_count_one_then_two(pg_url: str
                                                                             ) -> None:
    db = Database(pg_url)
    await db.upgrade()
    try:
        entered = asyncio.Event()

        async def waiting_on_a_member() -> bool:
            async with db.session() as session:
                return bool((await session.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND NOT granted"))).scalar_one())

        async def warn(hold: bool) -> int:
            async with db.session() as session:
                _, count = await WarnRepo(session).add_counted(
                    "tg:-1", "tg:7", reason="ad", at=NOW, expires_at=NOW + timedelta(days=30))
                if hold:  # commit only once the other transaction waits on the member
                    entered.set()
                    for _ in range(600):  # bounded: 30 s
                        if await waiting_on_a_member():
                            break
                        await asyncio.sleep(0.05)
                    else:
                        raise AssertionError("the second warn never waited on the first")
                return count

        async def second() -> int:
            await entered.wait()
            return await warn(False)

        counts = await asyncio.gather(warn(True), second())
        assert sorted(counts) == [1, 2]
    finally:
        await db.dispose()


async def test_stored_keys_older_than_the_horizon_are_purged_once_an_hour(pg_url: str) -> None:
    db = Database(pg_url)
    await db.upgrade()
    try:
        clock = [NOW]
        keys = SqlProcessedKeys(db)
        ledger = UpdateLedger(keys, shared=keys, clock=lambda: clock[0])
        assert await ledger.claim("tg:1")
        clock[0] = NOW + timedelta(days=3)
        assert await ledger.claim("tg:2")
        await ledger.flush()  # the first flush purges: tg:1 is older than two days
        assert await keys.since(NOW - timedelta(days=10)) == ["tg:2"]
        clock[0] = NOW + timedelta(days=6)
        await ledger.flush()  # an hour has passed since: purged again
        assert await keys.since(NOW - timedelta(days=10)) == []
    finally:
        await db.dispose()


async def test_a_claim_after_the_database_dropped_the_claims_connection_is_asked_again(
        pg_url: str) -> None:
    db = Database(pg_url)
    await db.upgrade()
    keys = SqlProcessedKeys(db, worker="a", patience=timedelta(0))
    try:
        assert await keys.add("tg:1", NOW)  # the claims' own connection is open
        for n in range(2, 7):  # whether or not the client noticed the drop before asking
            async with db.session() as session:  # as a restarted server would, it is dropped
                ended = await session.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE"
                    " application_name = 'qunguan-claims' AND datname = current_database()"))
            assert ended >= 1
            assert await keys.add(f"tg:{n}", NOW)
        assert not await keys.add("tg:1", NOW)  # held under its lease: not won twice
    finally:
        await keys.close()
        await db.dispose()


async def test_a_claims_connection_goes_back_to_its_pool_without_a_reset_statement(
        pg_url: str) -> None:
    db = Database(pg_url)
    await db.upgrade()
    keys = SqlProcessedKeys(db, worker="a")
    try:
        for n in range(3):
            assert await keys.add(f"tg:{n}", NOW)
        async with db.session() as session:  # a backend's query: the last it ran
            last = list(await session.scalars(text(
                "SELECT query FROM pg_stat_activity WHERE application_name = 'qunguan-claims'"
                " AND datname = current_database()")))
        assert last and all("processed_updates" in query for query in last), last
    finally:
        await keys.close()
        await db.dispose()
