"""Daily caps as one shared counter per member, kind and day, claimed in a single UPDATE."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import DailyTallyRow as T


async def claim(session: AsyncSession, chat: str, user: str, kind: str, day: date,
                points: float, cap: float) -> float:
    """Grant up to ``points`` of what ``cap`` leaves for the day; returns what was granted.

    The grant and the new total are computed by one ``UPDATE`` from the row's current
    value, so processes claiming at once never pass the cap: PostgreSQL re-evaluates the
    statement on the row version the other transaction committed, SQLite has one writer.
    """
    if points <= 0:
        return 0.0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(T).values(chat=chat, user_id=user, kind=kind, day=day,
                                           used=0.0, granted=0.0).on_conflict_do_nothing())
    room = cap - T.used
    statement = (
        update(T)
        .where(T.chat == chat, T.user_id == user, T.kind == kind, T.day == day, T.used < cap)
        .values(granted=case((room < points, room), else_=points),
                used=case((room < points, cap), else_=T.used + points))
        .returning(T.granted)
    )
    granted = (await session.execute(statement)).scalar_one_or_none()
    return float(granted or 0.0)


async def used(db: Database, chat: str, user: str, kind: str, day: date) -> float:
    """What has been granted so far on ``day`` (0 before any claim); a read outside any
    write transaction."""
    async with db.reading() as connection:
        found = await connection.execute(select(T.used).where(
            T.chat == chat, T.user_id == user, T.kind == kind, T.day == day))
        return float(found.scalar_one_or_none() or 0.0)


async def purge(session: AsyncSession, before: date) -> int:
    """Drop tallies of days before ``before``; returns how many."""
    result = await session.execute(delete(T).where(T.day < before))
    return int(getattr(result, "rowcount", 0) or 0)
