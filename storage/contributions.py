"""ContributionRepo: contribution points per member, summed per chat or across a network."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ContributionRow

_TABLE: Table = ContributionRow.metadata.tables[ContributionRow.__tablename__]
_INSERT = insert(_TABLE)


class ContributionRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, chat: str, user_id: str, kind: str, points: float,
                  at: datetime) -> None:
        self.session.add(ContributionRow(chat=chat, user_id=user_id, kind=kind, points=points,
                                         created_at=at))

    async def add_many(self, rows: Sequence[tuple[str, str, str, float, datetime]]) -> None:
        """``add`` for a batch (chat, user, kind, points, at): one batched Core insert."""
        if rows:
            await self.session.execute(_INSERT, [
                {"chat": c, "user_id": u, "kind": k, "points": p, "created_at": at}
                for c, u, k, p, at in rows])

    async def total(self, chats: Sequence[str], user_id: str,
                    since: datetime | None = None) -> float:
        query = select(func.coalesce(func.sum(ContributionRow.points), 0.0)).where(
            ContributionRow.chat.in_(list(chats)), ContributionRow.user_id == user_id)
        if since is not None:
            query = query.where(ContributionRow.created_at >= since)
        return float((await self.session.execute(query)).scalar_one())

    async def leaderboard(self, chats: Sequence[str], since: datetime | None = None,
                          limit: int = 10) -> list[tuple[str, float]]:
        points = func.sum(ContributionRow.points).label("points")
        query = select(ContributionRow.user_id, points).where(
            ContributionRow.chat.in_(list(chats)))
        if since is not None:
            query = query.where(ContributionRow.created_at >= since)
        query = query.group_by(ContributionRow.user_id).order_by(points.desc(),
                                                                 ContributionRow.user_id)
        rows = await self.session.execute(query.limit(limit))
        return [(user, float(total)) for user, total in rows.all()]

    async def rank(self, chats: Sequence[str], user_id: str,
                   since: datetime | None = None) -> int | None:
        """1-based rank of a member by points, or None without points."""
        board = await self.leaderboard(chats, since, limit=100_000)
        for index, (user, _) in enumerate(board, 1):
            if user == user_id:
                return index
        return None

    async def sum_for_day(self, chat: str, user_id: str, kind: str, day_start: datetime,
                          day_end: datetime) -> float:
        query = select(func.coalesce(func.sum(ContributionRow.points), 0.0)).where(
            ContributionRow.chat == chat, ContributionRow.user_id == user_id,
            ContributionRow.kind == kind, ContributionRow.created_at >= day_start,
            ContributionRow.created_at < day_end)
        return float((await self.session.execute(query)).scalar_one())
