"""Daily tallies: a cap's counter grants exactly what is left, also to engines claiming at once."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select

from handlers.community.buffer import PointsBuffer
from storage import tallies
from storage.db import Database
from storage.models import ContributionRow
from storage.testing import second_engine
from tests.storage.conftest import CHAT, NOW

DAY = date(2026, 11, 22)


async def claim(db: Database, points: float, cap: float = 5.0, user: str = "tg:7") -> float:
    async with db.session() as s:
        return await tallies.claim(s, CHAT, user, "message", DAY, points, cap)


async def test_claims_are_granted_until_the_cap_then_clipped_then_refused(db: Database) -> None:
    assert [await claim(db, p) for p in (2, 2, 2, 1)] == [2.0, 2.0, 1.0, 0.0]
    assert await tallies.used(db, CHAT, "tg:7", "message", DAY) == 5.0
    assert await tallies.used(db, CHAT, "tg:7", "message", DAY + timedelta(1)) == 0.0


async def test_each_member_kind_and_day_has_its_own_counter(db: Database) -> None:
    assert await claim(db, 5) == 5.0
    assert await claim(db, 5, user="tg:8") == 5.0
    async with db.session() as s:
        assert await tallies.claim(s, CHAT, "tg:7", "thanks", DAY, 3, 5) == 3.0
        assert await tallies.claim(s, CHAT, "tg:7", "message", DAY + timedelta(1), 3, 5) == 3.0


async def test_two_engines_claiming_at_once_never_pass_the_cap(db: Database) -> None:
    other = await second_engine(db)
    try:
        grants = await asyncio.gather(*(claim(db if n % 2 else other, 1.0, cap=10.0)
                                        for n in range(30)))
    finally:
        await other.dispose()
    assert sum(grants) == 10.0 and sorted(set(grants)) == [0.0, 1.0]


async def test_two_processes_buffering_the_same_member_store_exactly_the_cap(
        db: Database) -> None:
    """Each process thinks the cap is untouched; their flushes store the cap, not twice it."""
    other = await second_engine(db)
    buffers = [PointsBuffer(db), PointsBuffer(other)]
    key = (CHAT, "tg:7", "message", DAY)

    async def nothing_stored() -> float:
        return 0.0

    try:
        for buffer in buffers:
            for minute in range(8):
                at = NOW + timedelta(minutes=minute)
                await buffer.award(key, 1.0, at, 5.0, nothing_stored)
        assert [b.queued([CHAT], "tg:7") for b in buffers] == [5.0, 5.0]
        await asyncio.gather(*(b.flush() for b in buffers))
    finally:
        await other.dispose()
    async with db.session() as s:
        stored = await s.execute(select(func.sum(ContributionRow.points)))
        assert stored.scalar_one() == 5.0


async def test_purge_forgets_tallies_of_days_long_over(db: Database) -> None:
    await claim(db, 1)
    async with db.session() as s:
        assert await tallies.purge(s, DAY) == 0
        assert await tallies.purge(s, DAY + timedelta(1)) == 1
