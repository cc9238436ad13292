"""SqlModerationStore: the core's ModerationStore port on SQLAlchemy (log, warns, snapshots)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Sender
from bot.policy import MemberSnapshot
from bot.ports import LogEntry
from storage.db import Database
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.models import ContributionRow
from storage.warns import WarnRepo


class SqlModerationTx:
    """The ModerationTx port inside one session/transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_warn(self, chat: str, user_id: str, *, reason: str, at: datetime,
                       expires_at: datetime) -> tuple[int, int]:
        warns = WarnRepo(self.session)
        warn_id = await warns.add(chat, user_id, reason=reason, at=at, expires_at=expires_at)
        return warn_id, await warns.active_count(chat, user_id, at)

    async def log(self, entry: LogEntry) -> int:
        return await LogRepo(self.session).add(entry)


class SqlModerationStore:
    """Implements ``bot.ports.ModerationStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlModerationTx]:
        async with self.db.session() as session:
            yield SqlModerationTx(session)

    async def snapshot(self, chat: str, user_id: str, now: datetime) -> MemberSnapshot:
        async with self.db.session() as session:
            member = await MemberRepo(session).get(chat, user_id)
            warns = await WarnRepo(session).active_count(chat, user_id, now)
            points = (await session.execute(
                select(func.coalesce(func.sum(ContributionRow.points), 0.0)).where(
                    ContributionRow.chat == chat, ContributionRow.user_id == user_id)
            )).scalar_one()
        if member is None:
            return MemberSnapshot(user_id=user_id, warns_active=warns, points=float(points))
        return MemberSnapshot(
            user_id=user_id, role=member.role, joined_at=member.joined_at,
            first_seen=member.first_seen, message_count=member.message_count,
            warns_active=warns, points=float(points), approved=member.approved,
            voice_allowed=member.voice_allowed,
        )

    async def set_outcome(self, log_id: int, outcome: str) -> None:
        async with self.db.session() as session:
            await LogRepo(session).set_outcome(log_id, outcome)

    async def touch(self, chat: str, sender: Sender, when: datetime, messages: int) -> None:
        async with self.db.session() as session:
            await MemberRepo(session).touch(chat, sender, when, messages)

    async def touch_many(self, activity: Sequence[tuple[str, Sender, datetime, int]]) -> None:
        """Record a batch of members' activity in one transaction."""
        async with self.db.session() as session:
            members = MemberRepo(session)
            for chat, sender, when, messages in activity:
                await members.touch(chat, sender, when, messages)


__all__ = ["SqlModerationStore", "SqlModerationTx"]
