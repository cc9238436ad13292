"""Small persisted state: classifier models by scope, per-chat markers, duty roster, entry gates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ClassifierRow, CounterRow, DutyRow, GateRow
from storage.records import GateRecord


class ClassifierRepo:
    """Serialized classifier models (bytes from the model's own format, never pickle)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, scope: str) -> bytes | None:
        row = await self.session.get(ClassifierRow, scope)
        return bytes(row.data) if row else None

    async def save(self, scope: str, data: bytes, at: datetime) -> None:
        row = await self.session.get(ClassifierRow, scope)
        if row is None:
            self.session.add(ClassifierRow(scope=scope, data=data, updated_at=at))
        else:
            row.data, row.updated_at = data, at

    async def scopes(self) -> list[str]:
        return list((await self.session.execute(select(ClassifierRow.scope))).scalars())


class StateRepo:
    """Per-chat JSON markers (e.g. the last day a duty announcement was made)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, chat: str, key: str) -> dict[str, Any]:
        row = await self.session.get(CounterRow, (chat, key))
        return dict(row.value) if row else {}

    async def put(self, chat: str, key: str, value: dict[str, Any], at: datetime) -> None:
        row = await self.session.get(CounterRow, (chat, key))
        if row is None:
            self.session.add(CounterRow(chat=chat, key=key, value=value, updated_at=at))
        else:
            row.value, row.updated_at = value, at


class DutyRepo:
    """The duty rotation roster, in join order."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def join(self, chat: str, user_id: str, name: str, at: datetime) -> bool:
        exists = await self.session.execute(select(DutyRow.id).where(
            DutyRow.chat == chat, DutyRow.user_id == user_id))
        if exists.first() is not None:
            return False
        self.session.add(DutyRow(chat=chat, user_id=user_id, name=name, created_at=at))
        return True

    async def leave(self, chat: str, user_id: str) -> bool:
        result = await self.session.execute(delete(DutyRow).where(
            DutyRow.chat == chat, DutyRow.user_id == user_id))
        return bool(getattr(result, "rowcount", 0))

    async def list(self, chat: str) -> list[tuple[str, str]]:
        rows = await self.session.execute(select(DutyRow.user_id, DutyRow.name).where(
            DutyRow.chat == chat).order_by(DutyRow.id))
        return [(user, name) for user, name in rows.all()]


def _gate(row: GateRow) -> GateRecord:
    return GateRecord(row.chat, row.user_id, row.answer, row.ref, row.message_id, row.deadline,
                      row.created_at)


class GateRepo:
    """Members waiting at the entry gate, with their deadline and expected answer."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(self, chat: str, user_id: str, *, answer: str, deadline: datetime,
                   at: datetime, ref: str = "", message_id: str = "") -> None:
        row = await self.session.get(GateRow, (chat, user_id))
        if row is None:
            self.session.add(GateRow(chat=chat, user_id=user_id, answer=answer, ref=ref,
                                     message_id=message_id, deadline=deadline, created_at=at))
        else:
            row.answer, row.ref, row.message_id, row.deadline = answer, ref, message_id, deadline

    async def get(self, chat: str, user_id: str) -> GateRecord | None:
        row = await self.session.get(GateRow, (chat, user_id))
        return _gate(row) if row else None

    async def close(self, chat: str, user_id: str) -> bool:
        result = await self.session.execute(delete(GateRow).where(
            GateRow.chat == chat, GateRow.user_id == user_id))
        return bool(getattr(result, "rowcount", 0))

    async def expired(self, now: datetime) -> list[GateRecord]:
        rows = await self.session.execute(select(GateRow).where(GateRow.deadline <= now))
        return [_gate(r) for r in rows.scalars()]

    async def of_user(self, user_id: str) -> list[GateRecord]:
        rows = await self.session.execute(select(GateRow).where(GateRow.user_id == user_id))
        return [_gate(r) for r in rows.scalars()]
