"""Points are counted once across a crash: the flush that writes an update's points marks the
update processed in the same transaction, so a journal replaying it after a crash (before the
ledger's own flush) finds it done instead of awarding the points again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.dispatcher import Dispatcher
from bot.events import Message, Sender
from bot.gateway_fake import RecordingGateway
from bot.ledger import UpdateLedger
from handlers.community.buffer import PointsBuffer
from storage.db import Database
from storage.models import ContributionRow
from storage.testing import KINDS, DatabaseUnavailable, temp_database
from storage.updates import SqlProcessedKeys

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


async def points_of(db: Database, user: str) -> float:
    async with db.session() as s:
        found = await s.execute(select(func.coalesce(func.sum(ContributionRow.points), 0.0))
                                .where(ContributionRow.user_id == user))
        return float(found.scalar_one())


def message(message_id: str) -> Message:
    return Message(chat=CHAT, message_id=message_id, sender=Sender("tg:7", "m7"), date=NOW)


async def run(db: Database, buffer: PointsBuffer, *updates: str) -> UpdateLedger:
    """A process: a ledger over ``db`` whose dispatcher awards a point per message."""
    ledger = UpdateLedger(SqlProcessedKeys(db), batch=10_000)  # keys written only on flush
    await ledger.load()
    dispatcher = Dispatcher(ledger)

    async def award(event: Message, gateway: object) -> None:
        await buffer.award((CHAT, event.sender.id, "message", DAY), 1.0, NOW, None)

    dispatcher.on(Message, award)
    for n, key in enumerate(updates):
        await dispatcher(message(str(100 + n)), RecordingGateway(), key)
    return ledger


async def test_an_update_replayed_after_its_points_were_flushed_awards_none_again(
        db: Database) -> None:
    buffer = PointsBuffer(db)
    await run(db, buffer, "tg:5", "tg:6")
    assert await buffer.flush() == 1  # e.g. /top reads totals; the ledger has not flushed
    # killed here: the journal replays both updates in a fresh process
    fresh = PointsBuffer(db)
    await run(db, fresh, "tg:5", "tg:6")
    await fresh.flush()
    assert await points_of(db, "tg:7") == 2.0  # not 4.0


async def test_points_awarded_outside_an_update_mark_nothing_processed(db: Database) -> None:
    buffer = PointsBuffer(db)
    await buffer.award((CHAT, "tg:8", "checkin", DAY), 2.0, NOW, None)  # a scheduled job
    assert await buffer.flush() == 1
    assert await SqlProcessedKeys(db).since(datetime(2000, 1, 1, tzinfo=UTC)) == []
    assert await points_of(db, "tg:8") == 2.0
