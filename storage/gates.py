"""GateRepo: members waiting at a chat's entry gate, with their deadline and expected answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import GateRow
from storage.records import GateRecord


def _gate(row: GateRow) -> GateRecord:
    return GateRecord(row.chat, row.user_id, row.answer, row.ref, row.message_id, row.deadline,
                      row.created_at)


def _normal(answer: str) -> str:
    return answer.strip().casefold()


class GateRepo:
    """One pending gate per (chat, member); the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(self, chat: str, user_id: str, *, answer: str, deadline: datetime,
                   at: datetime, ref: str = "", message_id: str = "") -> None:
        """Open (or re-open with a new question) the member's gate."""
        row = await self.session.get(GateRow, (chat, user_id))
        if row is None:
            self.session.add(GateRow(chat=chat, user_id=user_id, answer=answer, ref=ref,
                                     message_id=message_id, deadline=deadline, created_at=at))
        else:
            row.answer, row.ref, row.message_id, row.deadline = answer, ref, message_id, deadline
        await self.session.flush()

    async def get(self, chat: str, user_id: str) -> GateRecord | None:
        row = await self.session.get(GateRow, (chat, user_id))
        return _gate(row) if row else None

    async def answer(self, chat: str, user_id: str, given: str, now: datetime) -> bool | None:
        """None without a pending gate (or past its deadline); True (gate closed) when
        ``given`` matches the expected answer, ignoring case and outer spaces; else False."""
        row = await self.session.get(GateRow, (chat, user_id))
        if row is None or row.deadline <= now:
            return None
        if _normal(given) != _normal(row.answer):
            return False
        await self.close(chat, user_id)
        return True

    async def close(self, chat: str, user_id: str) -> bool:
        result = await self.session.execute(delete(GateRow).where(
            GateRow.chat == chat, GateRow.user_id == user_id))
        return bool(getattr(result, "rowcount", 0))

    async def list_expired(self, now: datetime) -> list[GateRecord]:
        """Gates whose deadline has passed at ``now``, earliest first (all chats)."""
        rows = await self.session.execute(select(GateRow).where(GateRow.deadline <= now)
                                          .order_by(GateRow.deadline))
        return [_gate(r) for r in rows.scalars()]

    expired = list_expired

    async def of_user(self, user_id: str) -> list[GateRecord]:
        rows = await self.session.execute(select(GateRow).where(GateRow.user_id == user_id))
        return [_gate(r) for r in rows.scalars()]

    async def list(self, chat: str) -> list[GateRecord]:
        rows = await self.session.execute(select(GateRow).where(GateRow.chat == chat)
                                          .order_by(GateRow.deadline))
        return [_gate(r) for r in rows.scalars()]
