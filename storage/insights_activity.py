"""Recording activity for the dashboard: messages per member and day, per chat and UTC hour."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Sender
from storage.models import ActivityHourRow, MemberDayRow

_DAYS: Table = MemberDayRow.metadata.tables[MemberDayRow.__tablename__]
_HOURS: Table = ActivityHourRow.metadata.tables[ActivityHourRow.__tablename__]


def _upsert(dialect: str, table: Table, key: tuple[str, ...]) -> Any:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET messages = messages + excluded.messages``."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={"messages": table.c.messages + statement.excluded.messages})


#: Built once per dialect (compiled once, reused by every flush).
_STATEMENTS: dict[str, tuple[Any, Any]] = {
    name: (_upsert(name, _DAYS, ("chat", "user_id", "day")),
           _upsert(name, _HOURS, ("chat", "hour")))
    for name in ("sqlite", "postgresql")}


def hour_of(when: datetime) -> datetime:
    """The aware UTC hour ``when`` falls in."""
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def tally(activity: Sequence[tuple[str, Sender, datetime, int]]
          ) -> tuple[Counter[tuple[str, str, date]], Counter[tuple[str, datetime]]]:
    """Messages per (chat, user, day) and per (chat, UTC hour) of a batch.

    The day is ``when.date()`` in the zone ``when`` carries: the activity buffer hands
    over each chat's times in the chat's own zone (``ActivityBuffer(zone=...)``), so a day
    is the chat's local day; times given in UTC count by UTC day."""
    days: Counter[tuple[str, str, date]] = Counter()
    hours: Counter[tuple[str, datetime]] = Counter()
    for chat, sender, when, messages in activity:
        if messages <= 0:
            continue
        days[(chat, sender.id, when.date())] += messages
        hours[(chat, hour_of(when))] += messages
    return days, hours


async def record_activity(session: AsyncSession,
                          activity: Sequence[tuple[str, Sender, datetime, int]]) -> None:
    """Add a batch's messages to ``member_days`` and ``activity_hours``: two batched upserts.

    Keys are summed first (one row per key per statement: PostgreSQL refuses to update a row
    twice in one ``ON CONFLICT`` statement) and written in key order (concurrent workers lock
    rows in the same order, so they wait rather than deadlock)."""
    days, hours = tally(activity)
    if not days:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    upsert_days, upsert_hours = _STATEMENTS.get(dialect) or _STATEMENTS["sqlite"]
    await session.execute(upsert_days, [
        {"chat": chat, "user_id": user, "day": day, "messages": n}
        for (chat, user, day), n in sorted(days.items())])
    await session.execute(upsert_hours, [
        {"chat": chat, "hour": hour, "messages": n} for (chat, hour), n in sorted(hours.items())])


async def purge_activity(session: AsyncSession, before: datetime) -> int:
    """Drop day and hour counts older than ``before`` (UTC day for ``member_days``); returns
    how many rows went."""
    gone = 0
    for statement in (delete(_DAYS).where(_DAYS.c.day < before.astimezone(UTC).date()),
                      delete(_HOURS).where(_HOURS.c.hour < before)):
        result = await session.execute(statement)
        gone += int(getattr(result, "rowcount", 0) or 0)
    return gone
