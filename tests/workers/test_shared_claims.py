"""On PostgreSQL, an update or message claimed by several workers at once is granted to one;
one member's warns taken at the same moment count 1 then 2."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.ledger import UpdateLedger, message_key
from storage.db import Database
from storage.updates import SqlProcessedKeys
from storage.warns import WarnRepo

NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def test_two_workers_claiming_the_same_updates_at_once_get_each_once(pg_url: str) -> None:
    db = Database(pg_url)
    await db.upgrade()
    try:
        workers = [UpdateLedger(SqlProcessedKeys(db), shared=SqlProcessedKeys(db))
                   for _ in range(2)]
        keys = [f"tg:{n}" for n in range(20)]
        granted = await asyncio.gather(*(w.claim(k) for k in keys for w in workers))
        assert sum(granted) == 20
        messages = await asyncio.gather(*(w.claim_message("tg:-1", str(n)) for n in range(20)
                                          for w in workers))
        assert sum(messages) == 20
        late = UpdateLedger(SqlProcessedKeys(db), shared=SqlProcessedKeys(db))  # restarted
        assert not await late.claim("tg:3")
        assert not await late.claim_message("tg:-1", "3")
        assert await late.claim_message("tg:-1", "3", "2026-12-01T00:00:00+00:00")  # an edit
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
