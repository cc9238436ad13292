"""Processed delivery keys: each platform update is handled once, across restarts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import ProcessedRow


async def mark_processed(session: AsyncSession, keys: Sequence[str], at: datetime) -> None:
    """Insert keys, ignoring those already present (dialect-aware upsert)."""
    if not keys:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = [{"key": key, "created_at": at} for key in dict.fromkeys(keys)]
    await session.execute(insert(ProcessedRow).values(values).on_conflict_do_nothing())


class SqlProcessedKeys:
    """Implements ``bot.ledger.ProcessedKeys``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_many(self, keys: Sequence[str], at: datetime) -> None:
        async with self.db.session() as session:
            await mark_processed(session, keys, at)

    async def since(self, cutoff: datetime) -> list[str]:
        async with self.db.session() as session:
            rows = await session.execute(select(ProcessedRow.key).where(
                ProcessedRow.created_at >= cutoff))
            return list(rows.scalars())

    async def purge(self, cutoff: datetime) -> int:
        async with self.db.session() as session:
            result = await session.execute(delete(ProcessedRow).where(
                ProcessedRow.created_at < cutoff))
            return int(getattr(result, "rowcount", 0))
