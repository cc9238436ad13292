"""DutyRepo: the duty rotation roster of a chat, in the order members joined it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DutyRow


class DutyRepo:
    """The roster; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def join(self, chat: str, user_id: str, name: str, at: datetime) -> bool:
        """Add a member at the end of the roster; False if already on it."""
        exists = await self.session.execute(select(DutyRow.id).where(
            DutyRow.chat == chat, DutyRow.user_id == user_id))
        if exists.first() is not None:
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(DutyRow(chat=chat, user_id=user_id, name=name, created_at=at))
        except IntegrityError:  # a concurrent join won the race
            return False
        return True

    async def leave(self, chat: str, user_id: str) -> bool:
        result = await self.session.execute(delete(DutyRow).where(
            DutyRow.chat == chat, DutyRow.user_id == user_id))
        return bool(getattr(result, "rowcount", 0))

    async def list(self, chat: str) -> list[tuple[str, str]]:
        """``(user_id, name)`` pairs in join order."""
        rows = await self.session.execute(select(DutyRow.user_id, DutyRow.name).where(
            DutyRow.chat == chat).order_by(DutyRow.created_at, DutyRow.id))
        return [(user, name) for user, name in rows.all()]
