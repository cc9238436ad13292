"""The database handle: migrations on an empty database, transactions, aware datetimes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from storage.db import Database, alembic_config
from storage.models import Base, PendingDeletionRow, WarnRow
from storage.testing import second_engine
from storage.warns import WarnRepo
from tests.storage.conftest import CHAT, NOW

#: the newest migration: every upgrade ends there
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_upgrade_on_an_empty_database_creates_every_table(empty_db: Database) -> None:
    assert await empty_db.revision() is None
    await empty_db.upgrade()
    async with empty_db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    assert await empty_db.revision() == HEAD


async def test_upgrade_twice_is_a_no_op(db: Database) -> None:
    await db.upgrade()
    assert await db.revision() == HEAD


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_session_rolls_back_when_the_block_raises(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            session.add(PendingDeletionRow(chat=CHAT, message_id="1", due=NOW))
            await session.flush()
            raise RuntimeError("boom")
    async with db.session() as session:
        assert (await session.execute(select(PendingDeletionRow))).first() is None


async def test_datetimes_come_back_aware_utc(db: Database) -> None:
    async with db.session() as session:
        session.add(WarnRow(chat=CHAT, user_id="tg:7", reason="", actor="auto", created_at=NOW,
                            expires_at=NOW + timedelta(days=1), revoked=False))
    async with db.session() as session:
        warn = (await session.execute(select(WarnRow))).scalar_one()
    assert warn.created_at == NOW and warn.created_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with db.session() as session:
            session.add(PendingDeletionRow(chat=CHAT, message_id="1",
                                           due=NOW.replace(tzinfo=None)))


async def test_sqlite_file_in_a_missing_folder_is_created(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'a' / 'b' / 'q.db'}")
    try:
        await db.upgrade()
        async with db.engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
            busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
        assert mode == "wal" and busy > 0
    finally:
        await db.dispose()
    assert (tmp_path / "a" / "b" / "q.db").exists()


async def test_in_memory_sqlite_keeps_its_tables_across_sessions() -> None:
    db = Database("sqlite+aiosqlite:///:memory:")
    try:
        await db.upgrade()
        async with db.session() as session:
            session.add(PendingDeletionRow(chat=CHAT, message_id="1", due=NOW))
        async with db.session() as session:
            assert len((await session.execute(select(PendingDeletionRow))).all()) == 1
    finally:
        await db.dispose()


async def test_pooled_connections_killed_by_a_server_restart_are_replaced(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("an embedded database has no server to restart")
    async with db.session() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    other = await second_engine(db)  # another process plays the administrator
    try:
        async with other.session() as admin:
            killed = await admin.execute(text("SELECT pg_terminate_backend(:pid)"),
                                         {"pid": pid})
            assert killed.scalar_one() is True
    finally:
        await other.dispose()
    async with db.session() as session:  # pre-ping notices the dead connection, reconnects
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_a_transaction_that_reads_then_writes_is_not_refused_by_a_concurrent_write(
        db: Database) -> None:
    """Another process commits between our read and our write: we write after it instead of
    failing (SQLite: transactions begin IMMEDIATE; PostgreSQL: row-level writes)."""
    other = await second_engine(db)

    async def their_write() -> None:
        async with other.session() as s:
            await WarnRepo(s).add(CHAT, "tg:8", reason="theirs", at=NOW,
                                  expires_at=NOW + timedelta(1))

    try:
        async with db.session() as s, s.begin_nested():  # as ``seats.initialise`` does
            await WarnRepo(s).active(CHAT, "tg:7", NOW)  # read first
            theirs = asyncio.create_task(their_write())
            await asyncio.sleep(0.2)  # their write runs (or waits for ours) meanwhile
            await WarnRepo(s).add(CHAT, "tg:7", reason="ours", at=NOW,
                                  expires_at=NOW + timedelta(1))
        await theirs
    finally:
        await other.dispose()
    async with db.session() as s:
        rows = (await s.execute(select(WarnRow.user_id))).scalars().all()
    assert sorted(rows) == ["tg:7", "tg:8"]
