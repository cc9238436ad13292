"""Moving every stored row of a chat to a new id (Telegram group → supergroup)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, UniqueConstraint, and_, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CHAT_TABLES, Base, ChatRow, ClassifierRow, MemberRow


def natural_key(table: Table) -> tuple[str, ...] | None:
    """The columns besides ``chat`` that identify a row within a chat, if any are unique."""
    candidates = [table.primary_key.columns, *(c.columns for c in table.constraints
                                               if isinstance(c, UniqueConstraint))]
    for columns in candidates:
        names = tuple(column.name for column in columns)
        if "chat" in names:
            return tuple(name for name in names if name != "chat")
    return None


async def _merge_members(session: AsyncSession, old: str, new: str) -> None:
    """A member seen under both ids keeps one row: counters added, earliest dates kept."""
    stale = (await session.execute(select(MemberRow).where(
        MemberRow.chat == old,
        MemberRow.user_id.in_(select(MemberRow.user_id).where(MemberRow.chat == new))
    ))).scalars().all()
    for row in stale:
        target = await session.get(MemberRow, (new, row.user_id))
        if target is None:
            continue
        target.message_count += row.message_count
        target.role = max(target.role, row.role)
        target.approved = target.approved or row.approved
        target.voice_allowed = target.voice_allowed or row.voice_allowed
        for name in ("first_seen", "joined_at"):
            dates = [d for d in (getattr(target, name), getattr(row, name)) if d is not None]
            setattr(target, name, min(dates) if dates else None)
        await session.delete(row)
    await session.flush()


async def _drop_conflicts(session: AsyncSession, table: Table, old: str, new: str) -> None:
    """Rows already stored under the new id win over the old id's duplicates."""
    key = natural_key(table)
    if not key:
        return
    twin = table.alias("twin")
    same = and_(twin.c.chat == new, *(twin.c[name] == table.c[name] for name in key))
    await session.execute(delete(table).where(table.c.chat == old, exists().where(same)))


async def move_chat(session: AsyncSession, old: str, new: str, at: datetime) -> int:
    """Move the chat row (unless ``new`` already has one) and every row keyed by ``old``.

    Returns the number of rows moved. Run it inside one transaction: a failure moves nothing.
    A second call finds nothing left and returns 0.
    """
    if old == new:
        return 0
    moved = 0
    await session.flush()
    old_row = await session.get(ChatRow, old)
    new_exists = await session.get(ChatRow, new) is not None
    _forget(session, old)  # rows are rewritten below; no stale object may shadow them
    if old_row is not None and not new_exists:
        await session.execute(update(ChatRow).where(ChatRow.chat == old).values(
            chat=new, chat_type="supergroup", active=True, updated_at=at))
        moved += 1
    await _merge_members(session, old, new)
    for model in CHAT_TABLES:
        table = _table(model)
        await _drop_conflicts(session, table, old, new)
        result = await session.execute(update(table).where(table.c.chat == old)
                                       .values(chat=new))
        moved += int(getattr(result, "rowcount", 0))
    if await session.get(ClassifierRow, new) is None:
        result = await session.execute(update(ClassifierRow).where(ClassifierRow.scope == old)
                                       .values(scope=new))
        moved += int(getattr(result, "rowcount", 0))
    await session.flush()
    return moved


def _forget(session: AsyncSession, old: str) -> None:
    """Detach loaded objects of the old chat from the session's identity map."""
    for obj in list(session.identity_map.values()):
        if getattr(obj, "chat", None) == old or getattr(obj, "scope", None) == old:
            session.expunge(obj)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table
