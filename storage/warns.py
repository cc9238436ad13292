"""WarnRepo: warns with expiry; revoked or expired warns never count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import inserted_id
from storage.models import WarnRow
from storage.records import WarnRecord

_TABLE: Table = WarnRow.metadata.tables[WarnRow.__tablename__]
#: The enforcer's statements, built once (Core: no unit-of-work flush, compiled once).
_INSERT = insert(_TABLE)
_ACTIVE = (_TABLE.c.chat == bindparam("b_chat"), _TABLE.c.user_id == bindparam("b_user"),
           _TABLE.c.revoked.is_(False), _TABLE.c.expires_at > bindparam("b_now"))
_ACTIVE_COUNT = select(func.count()).select_from(_TABLE).where(*_ACTIVE)
_OTHER = _TABLE.alias("other_warns")
#: Insert a warn and, in the same statement, count the member's *other* active warns: the
#: new row is excluded by id, so the figure does not depend on whether a dialect's RETURNING
#: subquery sees the row being inserted (SQLite does, PostgreSQL does not).
_INSERT_COUNTING = insert(_TABLE).returning(
    _TABLE.c.id,
    select(func.count()).select_from(_OTHER).where(
        _OTHER.c.chat == bindparam("b_chat"), _OTHER.c.user_id == bindparam("b_user"),
        _OTHER.c.id != literal_column(f"{_TABLE.name}.id"), _OTHER.c.revoked.is_(False),
        _OTHER.c.expires_at > bindparam("b_now", type_=_TABLE.c.expires_at.type),
    ).scalar_subquery())


def _record(row: WarnRow) -> WarnRecord:
    return WarnRecord(row.id, row.chat, row.user_id, row.reason, row.actor, row.created_at,
                      row.expires_at, row.revoked)


class WarnRepo:
    """Warns per member; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, chat: str, user_id: str, *, reason: str, at: datetime,
                  expires_at: datetime, actor: str = "auto") -> int:
        result = await self.session.execute(_INSERT, {
            "chat": chat, "user_id": user_id, "reason": reason, "actor": actor, "created_at": at,
            "expires_at": expires_at, "revoked": False})
        return inserted_id(result)

    async def add_counted(self, chat: str, user_id: str, *, reason: str, at: datetime,
                          expires_at: datetime, actor: str = "auto") -> tuple[int, int]:
        """Store a warn; return ``(warn_id, active warns at ``at`` including this one)`` from
        one statement (the enforcer's hot path: one round trip instead of two)."""
        row = (await self.session.execute(_INSERT_COUNTING, {
            "chat": chat, "user_id": user_id, "reason": reason, "actor": actor, "created_at": at,
            "expires_at": expires_at, "revoked": False,
            "b_chat": chat, "b_user": user_id, "b_now": at})).one()
        warn_id, others = row
        return int(warn_id), int(others) + (1 if expires_at > at else 0)

    @staticmethod
    def _active(chat: str, user_id: str, now: datetime) -> tuple[ColumnElement[bool], ...]:
        return (WarnRow.chat == chat, WarnRow.user_id == user_id, WarnRow.revoked.is_(False),
                WarnRow.expires_at > now)

    async def active_count(self, chat: str, user_id: str, now: datetime) -> int:
        result = await self.session.execute(
            _ACTIVE_COUNT, {"b_chat": chat, "b_user": user_id, "b_now": now})
        return int(result.scalar_one())

    async def active(self, chat: str, user_id: str, now: datetime) -> list[WarnRecord]:
        rows = await self.session.execute(select(WarnRow).where(
            *self._active(chat, user_id, now)).order_by(WarnRow.id))
        return [_record(r) for r in rows.scalars()]

    async def revoke(self, warn_id: int) -> bool:
        result = await self.session.execute(update(WarnRow).where(
            WarnRow.id == warn_id, WarnRow.revoked.is_(False)).values(revoked=True))
        return bool(getattr(result, "rowcount", 0))

    async def revoke_latest(self, chat: str, user_id: str, now: datetime) -> int | None:
        warns = await self.active(chat, user_id, now)
        if not warns:
            return None
        await self.revoke(warns[-1].id)
        return warns[-1].id

    async def reset(self, chat: str, user_id: str) -> int:
        result = await self.session.execute(update(WarnRow).where(
            WarnRow.chat == chat, WarnRow.user_id == user_id, WarnRow.revoked.is_(False)
        ).values(revoked=True))
        return int(getattr(result, "rowcount", 0))

    async def list(self, chat: str, user_id: str, now: datetime | None = None
                   ) -> list[WarnRecord]:
        """A member's warns, oldest first; only the active ones at ``now`` if given."""
        if now is not None:
            return await self.active(chat, user_id, now)
        rows = await self.session.execute(select(WarnRow).where(
            WarnRow.chat == chat, WarnRow.user_id == user_id).order_by(WarnRow.id))
        return [_record(r) for r in rows.scalars()]
