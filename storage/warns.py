"""WarnRepo: warns with expiry; revoked or expired warns never count; one member's warns are
counted one transaction at a time on PostgreSQL (several workers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import inserted_id
from storage.models import WarnRow
from storage.records import WarnRecord

_TABLE: Table = WarnRow.metadata.tables[WarnRow.__tablename__]
#: The enforcer's statements, built once (Core: no unit-of-work flush, compiled once).
_INSERT = insert(_TABLE)


def _active_on(table: Any) -> tuple[ColumnElement[bool], ...]:
    """The one rule for an active warn: the member's (``b_chat``, ``b_user``), not revoked,
    not expired at ``b_now``."""
    return (table.c.chat == bindparam("b_chat"), table.c.user_id == bindparam("b_user"),
            table.c.revoked.is_(False),
            table.c.expires_at > bindparam("b_now", type_=_TABLE.c.expires_at.type))


_ACTIVE = _active_on(_TABLE)
#: A member's active warns at ``b_now`` (also a subquery of the moderation snapshot).
ACTIVE_COUNT = select(func.count()).select_from(_TABLE).where(*_ACTIVE)
_OTHER = _TABLE.alias("other_warns")
#: Insert a warn and, in the same statement, count the member's *other* active warns: the
#: new row is excluded by id, so the figure does not depend on whether a dialect's RETURNING
#: subquery sees the row being inserted (SQLite does, PostgreSQL does not).
_INSERT_COUNTING = insert(_TABLE).returning(
    _TABLE.c.id,
    select(func.count()).select_from(_OTHER).where(
        *_active_on(_OTHER), _OTHER.c.id != literal_column(f"{_TABLE.name}.id"),
    ).scalar_subquery())


#: Held until the transaction ends: a second worker warning the same member waits, then counts
#: the first one's committed warn (READ COMMITTED: each statement reads what is committed).
_MEMBER_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:member))")


def _record(row: WarnRow) -> WarnRecord:
    return WarnRecord(row.id, row.chat, row.user_id, row.reason, row.actor, row.created_at,
                      row.expires_at, row.revoked)


class WarnRepo:
    """Warns per member; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_member(self, chat: str, user_id: str) -> None:
        """Serialise warns of one member across workers until this transaction ends (so two
        offences handled at once escalate as if one came after the other). SQLite writers
        are already one at a time."""
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            await self.session.execute(_MEMBER_LOCK, {"member": f"warn:{chat}:{user_id}"})

    async def add(self, chat: str, user_id: str, *, reason: str, at: datetime,
                  expires_at: datetime, actor: str = "auto") -> int:
        await self.lock_member(chat, user_id)
        result = await self.session.execute(_INSERT, {
            "chat": chat, "user_id": user_id, "reason": reason, "actor": actor, "created_at": at,
            "expires_at": expires_at, "revoked": False})
        return inserted_id(result)

    async def add_counted(self, chat: str, user_id: str, *, reason: str, at: datetime,
                          expires_at: datetime, actor: str = "auto") -> tuple[int, int]:
        """Store a warn; return ``(warn_id, active warns at ``at`` including this one)`` from
        one statement (the enforcer's hot path: one round trip instead of two; on PostgreSQL
        a second one first takes the member's lock)."""
        await self.lock_member(chat, user_id)
        row = (await self.session.execute(_INSERT_COUNTING, {
            "chat": chat, "user_id": user_id, "reason": reason, "actor": actor, "created_at": at,
            "expires_at": expires_at, "revoked": False,
            "b_chat": chat, "b_user": user_id, "b_now": at})).one()
        warn_id, others = row
        return int(warn_id), int(others) + (1 if expires_at > at else 0)

    async def active_count(self, chat: str, user_id: str, now: datetime) -> int:
        result = await self.session.execute(
            ACTIVE_COUNT, {"b_chat": chat, "b_user": user_id, "b_now": now})
        return int(result.scalar_one())

    async def active(self, chat: str, user_id: str, now: datetime) -> list[WarnRecord]:
        rows = await self.session.execute(select(WarnRow).where(*_ACTIVE).order_by(WarnRow.id),
                                          {"b_chat": chat, "b_user": user_id, "b_now": now})
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
