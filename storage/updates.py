"""Processed delivery keys: each platform update is handled once, across restarts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import ProcessedRow

_TABLE: Table = ProcessedRow.metadata.tables[ProcessedRow.__tablename__]
#: ``INSERT … ON CONFLICT DO NOTHING`` per dialect, built once: a batch of keys is one
#: executemany of an already compiled statement, not a fresh 200-row VALUES statement.
_IGNORING: dict[str, Any] = {
    "postgresql": pg_insert(_TABLE).on_conflict_do_nothing(),
    "sqlite": sqlite_insert(_TABLE).on_conflict_do_nothing(),
}
_IGNORING_RETURNING: dict[str, Any] = {
    name: statement.returning(_TABLE.c.key) for name, statement in _IGNORING.items()}
#: A batch as one statement with one JSON array parameter: per-key work happens inside the
#: database, not in per-row parameter processing on the event loop (~3x less CPU than an
#: executemany of 200 rows). The time is bound with the column's type (same stored format).
_AT = bindparam("at", type_=_TABLE.c.created_at.type)
_BATCH: dict[str, Any] = {
    "postgresql": text(
        "INSERT INTO processed_updates (key, created_at) SELECT k, CAST(:at AS TIMESTAMP WITH"
        " TIME ZONE) FROM json_array_elements_text(CAST(:keys AS json)) AS k"
        " ON CONFLICT DO NOTHING").bindparams(_AT),
    "sqlite": text(
        "INSERT INTO processed_updates (key, created_at) SELECT value, :at"
        " FROM json_each(:keys) WHERE true ON CONFLICT DO NOTHING").bindparams(_AT),
}


def _dialect(session: AsyncSession) -> str:
    return "postgresql" if session.bind is not None \
        and session.bind.dialect.name == "postgresql" else "sqlite"


async def mark_processed(session: AsyncSession, key: str, at: datetime) -> bool:
    """Record ``key``; True when it is new, False when it was already processed."""
    statement = _IGNORING_RETURNING[_dialect(session)]
    result = await session.execute(statement, {"key": key, "created_at": at})
    return result.first() is not None


async def mark_processed_many(session: AsyncSession, keys: Sequence[str], at: datetime) -> None:
    """Record a batch of keys in one statement, ignoring those already present."""
    if keys:
        batch = json.dumps(list(dict.fromkeys(keys)))
        await session.execute(_BATCH[_dialect(session)], {"keys": batch, "at": at})


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
