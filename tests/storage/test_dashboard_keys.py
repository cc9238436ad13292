"""The dashboard's stored secrets and one-use login nonces, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.adapters.dashboard.wiring import dashboard_secret, single_use
from storage.db import Database
from storage.testing import second_engine
from tests.storage.conftest import NOW


async def test_a_login_nonce_is_accepted_once_whichever_worker_sees_it(db: Database) -> None:
    other = await second_engine(db)  # another worker's connection to the same database
    try:
        here, there = single_use(db, lambda: NOW), single_use(other, lambda: NOW)
        assert await here("n1")
        assert not await there("n1") and not await here("n1")
        assert await there("n2")
    finally:
        await other.dispose()


async def test_the_secret_comes_from_the_environment_else_is_generated_once(
        db: Database) -> None:
    chosen = await dashboard_secret(db, {"SECRET": " set-by-the-operator "}, "SECRET", NOW)
    assert chosen == "set-by-the-operator"
    first = await dashboard_secret(db, {}, "SECRET", NOW)
    again = await dashboard_secret(db, {"SECRET": ""}, "SECRET", NOW)
    assert first == again and len(first) >= 32 and first != chosen


async def test_workers_starting_together_agree_on_one_generated_secret(db: Database) -> None:
    import asyncio

    others = [await second_engine(db) for _ in range(3)]
    try:
        secrets = await asyncio.gather(*(dashboard_secret(e, {}, "SECRET", NOW)
                                         for e in (db, *others)))
    finally:
        for engine in others:
            await engine.dispose()
    assert len(set(secrets)) == 1
