"""SqlPendingDeletions: bot notices due for deletion, persisted across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from storage.db import Database
from storage.models import PendingDeletionRow


class SqlPendingDeletions:
    """Implements ``bot.ports.PendingDeletions``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, chat: str, message_id: str, due: datetime) -> None:
        async with self.db.session() as session:
            session.add(PendingDeletionRow(chat=chat, message_id=message_id, due=due))

    async def take_due(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        async with self.db.session() as session:
            query = select(PendingDeletionRow).where(PendingDeletionRow.due <= now).order_by(
                PendingDeletionRow.due).limit(limit)
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.execute(query)).scalars())
            if rows:
                await session.execute(delete(PendingDeletionRow).where(
                    PendingDeletionRow.id.in_([r.id for r in rows])))
            return [(r.chat, r.message_id) for r in rows]

    async def next_due(self) -> datetime | None:
        async with self.db.session() as session:
            result = await session.execute(select(func.min(PendingDeletionRow.due)))
            value = result.scalar_one_or_none()
        if value is not None and value.tzinfo is None:  # aggregate bypasses the type decorator
            from datetime import UTC

            value = value.replace(tzinfo=UTC)
        return value
