"""CheckinRepo: one check-in per member per local day; current and best streaks."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckinRow
from storage.records import Streak


def streak_of(days: list[date], today: date) -> Streak:
    """Streaks from a member's distinct check-in days (any order)."""
    ordered = sorted(set(days))
    if not ordered:
        return Streak(0, 0, 0)
    best = run = 1
    for previous, day in itertools.pairwise(ordered):
        run = run + 1 if day - previous == timedelta(days=1) else 1
        best = max(best, run)
    current = run if today - ordered[-1] <= timedelta(days=1) else 0
    return Streak(current, best, len(ordered), ordered[-1])


class CheckinRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, chat: str, user_id: str, day: date, at: datetime) -> bool:
        """False when the member already checked in on ``day``."""
        exists = await self.session.execute(select(CheckinRow.id).where(
            CheckinRow.chat == chat, CheckinRow.user_id == user_id, CheckinRow.day == day))
        if exists.first() is not None:
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(CheckinRow(chat=chat, user_id=user_id, day=day, created_at=at))
        except IntegrityError:  # a concurrent check-in won the race
            return False
        return True

    async def days(self, chat: str, user_id: str) -> list[date]:
        rows = await self.session.execute(select(CheckinRow.day).where(
            CheckinRow.chat == chat, CheckinRow.user_id == user_id))
        return list(rows.scalars())

    async def streak(self, chat: str, user_id: str, today: date) -> Streak:
        return streak_of(await self.days(chat, user_id), today)

    async def leaderboard(self, chat: str, today: date, limit: int = 10
                          ) -> list[tuple[str, Streak]]:
        """Members by current streak (then best, then total)."""
        rows = await self.session.execute(select(CheckinRow.user_id, CheckinRow.day).where(
            CheckinRow.chat == chat, CheckinRow.day >= today - timedelta(days=400)))
        by_user: dict[str, list[date]] = {}
        for user, day in rows.all():
            by_user.setdefault(user, []).append(day)
        board = [(user, streak_of(days, today)) for user, days in by_user.items()]
        board.sort(key=lambda item: (-item[1].current, -item[1].best, -item[1].total, item[0]))
        return board[:limit]
