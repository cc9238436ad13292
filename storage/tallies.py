"""Daily caps as one shared counter per member, kind and day, claimed in a single UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Table, bindparam, case, delete, select, tuple_, update
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


Claim = tuple[str, str, str, date, float, float]  # chat, user, kind, day, points, cap
_T: Table = T.metadata.tables[T.__tablename__]  # Core statements: no ORM bulk semantics
_KEY = (_T.c.chat, _T.c.user_id, _T.c.kind, _T.c.day)
_CHUNK = 200  # keys per read (four bound values each)
_SET = update(_T).where(
    _T.c.chat == bindparam("b_chat"), _T.c.user_id == bindparam("b_user"),
    _T.c.kind == bindparam("b_kind"), _T.c.day == bindparam("b_day"),
).values(used=bindparam("v_used"), granted=bindparam("v_granted"))


async def claim_many(session: AsyncSession, claims: Sequence[Claim]) -> list[float]:
    """``claim`` for a batch, in a constant number of statements; returns the grants in order.

    A counter that does not exist yet is inserted holding its grant (``RETURNING`` tells which
    were new: a first-time member costs one row in one batched insert); the others are read
    under the write lock (SQLite transactions begin IMMEDIATE; PostgreSQL reads them ``FOR
    UPDATE``, in key order, after any other transaction inserting them has finished) and
    raised in one batched update, so processes claiming at once never pass a cap.
    """
    positive = [c for c in claims if c[4] > 0]
    if not positive:
        return [0.0] * len(claims)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    keys = [c[:4] for c in positive]
    fresh: set[tuple[str, str, str, date]] = set()
    if len(set(keys)) == len(keys):  # one claim per counter: a new one starts at its grant
        inserted = await session.execute(
            insert(_T).on_conflict_do_nothing().returning(*_KEY),
            [{"chat": c, "user_id": u, "kind": k, "day": d, "used": g, "granted": g}
             for c, u, k, d, p, cap in positive for g in (max(0.0, min(p, cap)),)])
        fresh = {(c, u, k, d) for c, u, k, d in inserted}
    else:
        await session.execute(insert(_T).on_conflict_do_nothing(), [
            {"chat": c, "user_id": u, "kind": k, "day": d, "used": 0.0, "granted": 0.0}
            for c, u, k, d in sorted(set(keys))])
    rest = sorted(set(keys) - fresh)
    used: dict[tuple[str, str, str, date], float] = {}
    for start in range(0, len(rest), _CHUNK):
        query = select(*_KEY, _T.c.used).where(tuple_(*_KEY).in_(rest[start:start + _CHUNK]))
        if dialect == "postgresql":
            query = query.order_by(*_KEY).with_for_update()
        for chat, user, kind, day, value in await session.execute(query):
            used[(chat, user, kind, day)] = float(value or 0.0)
    grants: list[float] = []
    changed: dict[tuple[str, str, str, date], tuple[float, float]] = {}  # used, granted
    for chat, user, kind, day, points, cap in claims:
        key = (chat, user, kind, day)
        if points <= 0:
            grants.append(0.0)
            continue
        if key in fresh:
            grants.append(max(0.0, min(points, cap)))
            continue
        total = used.get(key, 0.0)
        granted = max(0.0, min(points, cap - total))
        grants.append(granted)
        if granted:
            used[key] = total + granted
            changed[key] = (total + granted, changed.get(key, (0.0, 0.0))[1] + granted)
    if changed:
        await session.execute(_SET, [
            {"b_chat": c, "b_user": u, "b_kind": k, "b_day": d, "v_used": value,
             "v_granted": granted} for (c, u, k, d), (value, granted) in changed.items()])
    return grants


async def used_on(db: Database, chat: str, kind: str, day: date) -> dict[str, float]:
    """Every member's granted total of ``kind`` on ``day`` in ``chat`` (members absent have
    none); one read outside any write transaction."""
    async with db.reading() as connection:
        found = await connection.execute(select(T.user_id, T.used).where(
            T.chat == chat, T.kind == kind, T.day == day))
        return {user: float(value or 0.0) for user, value in found}


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
