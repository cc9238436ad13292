"""Processed delivery keys: each platform update is handled once, across restarts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import ProcessedRow


def _insert_ignoring_duplicates(session: AsyncSession, values: list[dict[str, Any]]) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the session's dialect."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(ProcessedRow).values(values).on_conflict_do_nothing()


async def mark_processed(session: AsyncSession, key: str, at: datetime) -> bool:
    """Record ``key``; True when it is new, False when it was already processed."""
    statement = _insert_ignoring_duplicates(session, [{"key": key, "created_at": at}])
    result = await session.execute(statement.returning(ProcessedRow.key))
    return result.first() is not None


async def mark_processed_many(session: AsyncSession, keys: Sequence[str], at: datetime) -> None:
    """Record a batch of keys in one statement, ignoring those already present."""
    if keys:
        values = [{"key": key, "created_at": at} for key in dict.fromkeys(keys)]
        await session.execute(_insert_ignoring_duplicates(session, values))


async def purge_processed(session: AsyncSession, cutoff: datetime) -> int:
    """Forget keys recorded before ``cutoff``; returns how many."""
    result = await session.execute(delete(ProcessedRow).where(ProcessedRow.created_at < cutoff))
    return int(getattr(result, "rowcount", 0))


class SqlProcessedKeys:
    """Implements ``bot.ledger.ProcessedKeys`` (each call its own short transaction)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, key: str, at: datetime) -> bool:
        async with self.db.session() as session:
            return await mark_processed(session, key, at)

    async def add_many(self, keys: Sequence[str], at: datetime) -> None:
        async with self.db.session() as session:
            await mark_processed_many(session, keys, at)

    async def since(self, cutoff: datetime) -> list[str]:
        async with self.db.session() as session:
            rows = await session.execute(select(ProcessedRow.key).where(
                ProcessedRow.created_at >= cutoff))
            return list(rows.scalars())

    async def purge(self, cutoff: datetime) -> int:
        async with self.db.session() as session:
            return await purge_processed(session, cutoff)


if TYPE_CHECKING:  # mypy proves the class satisfies the ledger's port
    from bot.ledger import ProcessedKeys

    def _conforms(db: Database) -> ProcessedKeys:
        return SqlProcessedKeys(db)
