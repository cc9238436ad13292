"""Test helpers: a throw-away database on SQLite or on a private PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text

from storage.db import Database

PG_URL = os.environ.get("QUNGUAN_TEST_PG_URL",
                        "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


class DatabaseUnavailable(RuntimeError):
    """The requested server database cannot be reached (tests skip with this reason)."""


@asynccontextmanager
async def temp_database(kind: str, tmp_path: Path, *, migrate: bool = True
                        ) -> AsyncIterator[Database]:
    """A migrated, empty database: ``kind`` is ``"sqlite"`` or ``"postgresql"``.

    PostgreSQL gets a schema of its own (dropped afterwards) so parallel runs never collide.
    """
    if kind == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
        try:
            if migrate:
                await db.upgrade()
            yield db
        finally:
            await db.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(PG_URL)
    try:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # connection refused, auth, missing database
        await admin.dispose()
        raise DatabaseUnavailable(f"PostgreSQL not reachable at {PG_URL}: {exc}") from exc
    db = Database(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        if migrate:
            await db.upgrade()
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
