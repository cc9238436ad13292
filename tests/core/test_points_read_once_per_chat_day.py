"""Capped points: one read of a chat's day of tallies serves every member (a first-time member
costs no read), and a batched flush claims exactly what the caps leave."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.community.buffer import PointsBuffer
from storage import tallies
from storage.db import Database
from storage.models import ContributionRow
from storage.testing import KINDS, DatabaseUnavailable, temp_database

CHAT = "tg:-1001"
DAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture(params=KINDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    try:
        async with temp_database(request.param, tmp_path) as database:
            yield database
    except DatabaseUnavailable as exc:
        pytest.skip(str(exc))


async def stored(db: Database, user: str, kind: str = "message") -> float:
    async with db.session() as s:
        found = await s.execute(select(func.coalesce(func.sum(ContributionRow.points), 0.0))
                                .where(ContributionRow.user_id == user,
                                       ContributionRow.kind == kind))
        return float(found.scalar_one())


async def test_one_read_per_chat_kind_and_day_serves_known_and_new_members(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    async with db.session() as s:
        await tallies.claim(s, CHAT, "tg:1", "message", DAY, 4.0, 5.0)
    reads: list[tuple[str, str, date]] = []
    used_on = tallies.used_on

    async def counted(db_: Database, chat: str, kind: str, day: date) -> dict[str, float]:
        reads.append((chat, kind, day))
        return await used_on(db_, chat, kind, day)

    monkeypatch.setattr(tallies, "used_on", counted)
    buffer = PointsBuffer(db)
    grants = [await buffer.award((CHAT, user, "message", DAY), 1.0, NOW, 5.0)
              for user in ("tg:1", "tg:1", *(f"tg:{n}" for n in range(100, 150)))]
    assert reads == [(CHAT, "message", DAY)]  # not one per member
    assert grants[:2] == [1.0, 0.0]  # the known member had 4 of 5; new members have room
    assert grants[2:] == [1.0] * 50
    assert await buffer.flush() == 51
    assert await stored(db, "tg:1") == 1.0 and await stored(db, "tg:100") == 1.0


async def test_a_batched_flush_grants_only_what_the_shared_counter_leaves(db: Database) -> None:
    """Another process used 4 of the cap of 5 after this buffer read the day: the flush
    writes 1, not 3; uncapped kinds are written as they are."""
    buffer = PointsBuffer(db)
    for _ in range(3):
        await buffer.award((CHAT, "tg:7", "message", DAY), 1.0, NOW, 5.0)
    await buffer.award((CHAT, "tg:8", "message", DAY), 2.0, NOW, 5.0)
    await buffer.award((CHAT, "tg:7", "checkin", DAY), 2.0, NOW, None)
    async with db.session() as s:
        assert await tallies.claim(s, CHAT, "tg:7", "message", DAY, 4.0, 5.0) == 4.0
    assert await buffer.flush() == 3
    assert await stored(db, "tg:7") == 1.0
    assert await stored(db, "tg:8") == 2.0
    assert await stored(db, "tg:7", "checkin") == 2.0
    assert await tallies.used(db, CHAT, "tg:7", "message", DAY) == 5.0
    async with db.session() as s:
        assert await tallies.claim_many(s, [(CHAT, "tg:7", "message", DAY, 1.0, 5.0),
                                            (CHAT, "tg:8", "message", DAY, 9.0, 5.0),
                                            (CHAT, "tg:9", "message", DAY, 0.0, 5.0)]) \
            == [0.0, 3.0, 0.0]
