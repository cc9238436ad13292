"""Seats of a capped chat in storage: a member count changed only by atomic conditional updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatRow, CounterRow, JoinQueueRow

ADMIT = "admit:"


async def count(session: AsyncSession, chat: str) -> int | None:
    row = await session.execute(select(ChatRow.member_count).where(ChatRow.chat == chat))
    return row.scalar_one_or_none()


async def initialise(session: AsyncSession, chat: str, members: int, at: datetime) -> bool:
    """Set the count if storage has none yet; False when another process set it first."""
    from storage.chats import ChatRepo

    if await session.get(ChatRow, chat) is None:
        try:
            async with session.begin_nested():
                await ChatRepo(session).upsert(chat, at=at)
        except IntegrityError:
            pass
    result = await session.execute(update(ChatRow).where(
        ChatRow.chat == chat, ChatRow.member_count.is_(None)).values(member_count=members))
    return bool(getattr(result, "rowcount", 0))


async def reserve(session: AsyncSession, chat: str, capacity: int) -> bool:
    """Take one seat if the chat is below ``capacity`` (one atomic UPDATE; the row stays locked
    on PostgreSQL until the transaction ends, so concurrent reservations serialise)."""
    result = await session.execute(update(ChatRow).where(
        ChatRow.chat == chat, ChatRow.member_count < capacity,
    ).values(member_count=ChatRow.member_count + 1))
    return bool(getattr(result, "rowcount", 0))


async def occupy(session: AsyncSession, chat: str) -> None:
    """A member joined without our approval: count them, whatever the capacity."""
    await session.execute(update(ChatRow).where(
        ChatRow.chat == chat, ChatRow.member_count.is_not(None),
    ).values(member_count=ChatRow.member_count + 1))


async def release(session: AsyncSession, chat: str) -> None:
    await session.execute(update(ChatRow).where(
        ChatRow.chat == chat, ChatRow.member_count > 0,
    ).values(member_count=ChatRow.member_count - 1))


async def mark_admitted(session: AsyncSession, chat: str, user: str, at: datetime) -> None:
    """Remember that ``user`` holds a reserved seat until their join arrives."""
    key = f"{ADMIT}{user}"
    if await session.get(CounterRow, (chat, key)) is None:
        session.add(CounterRow(chat=chat, key=key, value={"at": at.isoformat()}, updated_at=at))
        await session.flush()


async def consume_admitted(session: AsyncSession, chat: str, user: str) -> bool:
    """True (once) if ``user`` joins on a seat reserved for them."""
    result = await session.execute(delete(CounterRow).where(
        CounterRow.chat == chat, CounterRow.key == f"{ADMIT}{user}"))
    return bool(getattr(result, "rowcount", 0))


async def queued_chats(session: AsyncSession, user: str) -> list[str]:
    """The chats where ``user`` waits in the join queue."""
    rows = await session.execute(select(JoinQueueRow.chat).where(
        JoinQueueRow.user_id == user).order_by(JoinQueueRow.id))
    return list(rows.scalars())


async def counted_chats(session: AsyncSession) -> list[str]:
    """Chats whose seats are being counted."""
    rows = await session.execute(select(ChatRow.chat).where(ChatRow.member_count.is_not(None)))
    return list(rows.scalars())


async def resync(session: AsyncSession, chat: str, members: int, stale_before: datetime) -> bool:
    """Set the count to the platform's ``members`` unless an admitted member's join is still
    on its way (it would be counted twice); admissions older than ``stale_before`` never
    arrived and are dropped. True if the count was set."""
    admitted = (CounterRow.chat == chat) & CounterRow.key.startswith(ADMIT)
    await session.execute(delete(CounterRow).where(admitted,
                                                   CounterRow.updated_at < stale_before))
    waiting = await session.execute(select(CounterRow.key).where(admitted).limit(1))
    if waiting.first() is not None:
        return False
    result = await session.execute(update(ChatRow).where(
        ChatRow.chat == chat, ChatRow.member_count != members).values(member_count=members))
    return bool(getattr(result, "rowcount", 0))
