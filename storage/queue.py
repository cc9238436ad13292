"""JoinQueueRepo: the first-come waitlist of join requests, safe across processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JoinQueueRow
from storage.records import QueueEntry


def _entry(row: JoinQueueRow) -> QueueEntry:
    return QueueEntry(row.id, row.chat, row.user_id, row.name, row.ref, row.created_at)


class JoinQueueRepo:
    """Join requests waiting per chat, first come first served; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, chat: str, user_id: str, ref: str, at: datetime,
                      name: str = "") -> int:
        """Add a request (idempotent: a repeated request keeps its place); returns position."""
        existing = await self.session.execute(select(JoinQueueRow).where(
            JoinQueueRow.chat == chat, JoinQueueRow.user_id == user_id))
        row = existing.scalars().first()
        if row is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(JoinQueueRow(chat=chat, user_id=user_id, ref=ref, name=name,
                                                  created_at=at))
            except IntegrityError:
                pass
        elif ref and row.ref != ref:
            row.ref = ref
        position = await self.position(chat, user_id)
        return position or 0

    async def position(self, chat: str, user_id: str) -> int | None:
        row = (await self.session.execute(select(JoinQueueRow).where(
            JoinQueueRow.chat == chat, JoinQueueRow.user_id == user_id))).scalars().first()
        if row is None:
            return None
        ahead = await self.session.execute(select(func.count()).select_from(JoinQueueRow).where(
            JoinQueueRow.chat == chat, JoinQueueRow.id < row.id))
        return int(ahead.scalar_one()) + 1

    async def pop_next(self, chat: str) -> QueueEntry | None:
        """Take the oldest request in one atomic statement (DELETE … RETURNING).

        On PostgreSQL the candidate row is locked with SKIP LOCKED, so two processes popping
        at once get different requests; on SQLite the statement takes the write lock.
        """
        oldest = select(JoinQueueRow.id).where(JoinQueueRow.chat == chat).order_by(
            JoinQueueRow.id).limit(1)
        if self.session.bind is not None and self.session.bind.dialect.name == "postgresql":
            oldest = oldest.with_for_update(skip_locked=True)
        statement = delete(JoinQueueRow).where(JoinQueueRow.id == oldest.scalar_subquery()
                                               ).returning(JoinQueueRow.id, JoinQueueRow.chat,
                                                           JoinQueueRow.user_id,
                                                           JoinQueueRow.name, JoinQueueRow.ref,
                                                           JoinQueueRow.created_at)
        row = (await self.session.execute(statement)).first()
        if row is None:
            return None
        created = row.created_at
        return QueueEntry(row.id, row.chat, row.user_id, row.name, row.ref, created)

    async def remove(self, chat: str, user_id: str) -> bool:
        result = await self.session.execute(delete(JoinQueueRow).where(
            JoinQueueRow.chat == chat, JoinQueueRow.user_id == user_id))
        return bool(getattr(result, "rowcount", 0))

    async def list(self, chat: str) -> list[QueueEntry]:
        rows = await self.session.execute(select(JoinQueueRow).where(
            JoinQueueRow.chat == chat).order_by(JoinQueueRow.id))
        return [_entry(r) for r in rows.scalars()]

    async def length(self, chat: str) -> int:
        result = await self.session.execute(select(func.count()).select_from(JoinQueueRow).where(
            JoinQueueRow.chat == chat))
        return int(result.scalar_one())
