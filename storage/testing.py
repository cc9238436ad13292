"""Test helpers: a throw-away migrated database on SQLite or on a private PostgreSQL schema.

Other suites use it as::

    @pytest.fixture(params=KINDS)
    async def db(request, tmp_path):
        try:
            async with temp_database(request.param, tmp_path) as database:
                yield database
        except DatabaseUnavailable as exc:
            pytest.skip(str(exc))
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

from storage.db import Database

#: Where the PostgreSQL tests run (override with ``QUNGUAN_TEST_PG_URL``).
PG_URL = os.environ.get("QUNGUAN_TEST_PG_URL",
                        "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
KINDS = ("sqlite", "postgresql")
CONNECT_TIMEOUT_S = 5


class DatabaseUnavailable(RuntimeError):
    """The requested server database cannot be reached (tests skip with this reason)."""


def pg_schema_kwargs(schema: str) -> dict[str, Any]:
    """Engine arguments that put every connection's ``search_path`` on ``schema``."""
    return {"connect_args": {"server_settings": {"search_path": schema},
                             "timeout": CONNECT_TIMEOUT_S}}


@asynccontextmanager
async def temp_database(kind: str, tmp_path: Path | None = None, *, migrate: bool = True
                        ) -> AsyncIterator[Database]:
    """A migrated, empty database: ``kind`` is ``"sqlite"`` or ``"postgresql"``.

    SQLite lives in a fresh file under ``tmp_path`` (a temporary directory if None).
    PostgreSQL gets a schema of its own (``t_<hex>``, dropped afterwards) so parallel runs
    never collide; raises ``DatabaseUnavailable`` when the server cannot be reached.
    """
    if kind == "sqlite":
        async with _sqlite(tmp_path, migrate) as db:
            yield db
    elif kind == "postgresql":
        async with _postgresql(migrate) as db:
            yield db
    else:
        raise ValueError(f"unknown database kind {kind!r}; expected one of {KINDS}")


@asynccontextmanager
async def _sqlite(tmp_path: Path | None, migrate: bool) -> AsyncIterator[Database]:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'qunguan.db'}")
        try:
            if migrate:
                await db.upgrade()
            yield db
        finally:
            await db.dispose()


@asynccontextmanager
async def _postgresql(migrate: bool) -> AsyncIterator[Database]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = Database(PG_URL, connect_args={"timeout": CONNECT_TIMEOUT_S})
    try:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # connection refused, auth, missing database, timeout
        await admin.dispose()
        raise DatabaseUnavailable(f"PostgreSQL not reachable at {PG_URL}: {exc!r}") from exc
    db = Database(PG_URL, **pg_schema_kwargs(schema))
    try:
        if migrate:
            await db.upgrade()
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def second_engine(db: Database) -> Database:
    """Another ``Database`` on the same data and schema: a second process's view of it."""
    return Database(db.url, **db.options)
