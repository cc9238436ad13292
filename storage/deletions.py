"""SqlPendingDeletions: bot notices due for deletion, persisted across restarts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from storage.db import Database
from storage.models import PendingDeletionRow, UTCDateTime


class SqlPendingDeletions:
    """Implements ``bot.ports.PendingDeletions``; several workers never take the same one."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, chat: str, message_id: str, due: datetime) -> None:
        async with self.db.session() as session:
            session.add(PendingDeletionRow(chat=chat, message_id=message_id, due=due))

    async def add_many(self, items: Sequence[tuple[str, str, datetime]]) -> None:
        """Schedule several deletions in one transaction."""
        async with self.db.session() as session:
            session.add_all(PendingDeletionRow(chat=chat, message_id=mid, due=due)
                            for chat, mid, due in items)

    async def take_due(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """Remove and return the due pairs, earliest first, in one DELETE … RETURNING.

        The candidates are locked with SKIP LOCKED on PostgreSQL; SQLite's single write
        statement holds the database lock, so no read-then-write race exists there either.
        """
        due = select(PendingDeletionRow.id).where(PendingDeletionRow.due <= now).order_by(
            PendingDeletionRow.due, PendingDeletionRow.id).limit(limit)
        if self.db.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        statement = delete(PendingDeletionRow).where(PendingDeletionRow.id.in_(due)).returning(
            PendingDeletionRow.id, PendingDeletionRow.chat, PendingDeletionRow.message_id,
            PendingDeletionRow.due)
        async with self.db.session() as session:
            rows = (await session.execute(statement)).all()
        return [(chat, message_id) for _, chat, message_id, _ in
                sorted(rows, key=lambda row: (row.due, row.id))]

    async def next_due(self) -> datetime | None:
        async with self.db.session() as session:
            earliest = func.min(PendingDeletionRow.due, type_=UTCDateTime())
            value: datetime | None = (await session.execute(select(earliest))).scalar_one()
        return value

    async def count(self) -> int:
        async with self.db.session() as session:
            total = await session.execute(select(func.count()).select_from(PendingDeletionRow))
            return int(total.scalar_one())


if TYPE_CHECKING:  # mypy proves the class satisfies the core's port
    from bot.ports import PendingDeletions

    def _conforms(db: Database) -> PendingDeletions:
        return SqlPendingDeletions(db)
