"""The database handle: engine, sessions (one transaction each) and migrations at start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock that serialises concurrent ``upgrade()`` calls.
UPGRADE_LOCK = 0x71756E67  # "qung"
#: how long a writer waits for SQLite's write lock (in its own thread, off the event loop);
#: a failed log write would lose what a deletion removed, so a long wait beats giving up
SQLITE_BUSY_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL (readers never block the writer), a busy timeout, and cheap durable commits; the
    driver's own lazy BEGIN is off (``_sqlite_begin`` emits ours)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Transactions take the write lock when they begin (``BEGIN IMMEDIATE``), so they wait
    their turn under the busy timeout. A deferred transaction that reads and then writes
    fails at once with "database is locked" when another connection wrote in between (WAL
    cannot upgrade a stale snapshot). ``Database.reading()`` opts read-only work out."""
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def inserted_id(result: Any) -> int:
    """The id a Core INSERT just generated (its ``inserted_primary_key``)."""
    key = cast(CursorResult[Any], result).inserted_primary_key
    if key is None:
        raise RuntimeError("the insert reported no primary key")
    return int(key[0])


def alembic_config(connection: Connection | None = None) -> Any:
    """An ``alembic.config.Config`` built in code (no alembic.ini) for the packaged scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class Database:
    """One engine per process. ``session()`` opens a session and a transaction.

    ``url`` is an async SQLAlchemy URL: ``sqlite+aiosqlite:///path.db`` (the embedded
    default) or ``postgresql+asyncpg://user@host:5432/db``. Extra keyword arguments go to
    ``create_async_engine`` (e.g. ``connect_args``).
    """

    def __init__(self, url: str, *, echo: bool = False, **engine_kwargs: Any) -> None:
        self.url = url
        #: The engine options as given, to open another handle on the same data.
        self.options: dict[str, Any] = {"echo": echo, **engine_kwargs}
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            database = parsed.database or ""
            if database in {"", ":memory:"}:  # one shared connection, or every one is empty
                engine_kwargs.setdefault("poolclass", StaticPool)
            elif not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        else:
            engine_kwargs.setdefault("pool_pre_ping", True)  # survive a database restart
            engine_kwargs.setdefault("pool_size", 10)
            engine_kwargs.setdefault("pool_recycle", 1800)
        self.engine: AsyncEngine = create_async_engine(url, echo=echo, **engine_kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A pooled connection for reads only, without a session: on SQLite its transaction
        begins DEFERRED, so a read never takes (or waits for) the write lock."""
        async with self.engine.connect() as connection:
            await connection.execution_options(sqlite_begin="DEFERRED")
            yield connection

    async def upgrade(self, revision: str = "head") -> None:
        """Apply the packaged Alembic migrations up to ``revision`` (idempotent).

        Runs on this engine's own async connection; on PostgreSQL an advisory lock makes
        workers that start together migrate one after the other.
        """
        from alembic import command

        def run(connection: Connection) -> None:
            command.upgrade(alembic_config(connection), revision)

        async with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                         {"key": UPGRADE_LOCK})
            await connection.run_sync(run)

    async def revision(self) -> str | None:
        """The revision the database is at (None before the first upgrade)."""
        from alembic.runtime.migration import MigrationContext

        def current(connection: Connection) -> str | None:
            return MigrationContext.configure(connection).get_current_revision()

        async with self.engine.connect() as connection:
            return await connection.run_sync(current)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
