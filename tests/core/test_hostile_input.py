"""Odd input and poisoned batches in the core: one platform message is handled once whatever
update carried it, bad rows are dropped alone, repeated fault lines are rate-limited."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.batching import WriteBehind, isolate
from bot.dispatcher import Dispatcher
from bot.events import Kind, Message, Segment, Sender
from bot.faults import Faults
from bot.gateway_fake import RecordingGateway
from bot.ledger import UpdateLedger
from bot.snapshots import ActivityBuffer
from handlers.services import Services
from storage.members import MemberRepo
from tests.core.conftest import CHAT, NOW

AD = "加微信 abc12345 领取福利 兼职日结"


def message(text: str, message_id: str = "41", *, edited: bool = False,
            at: datetime = NOW, user: str = "test:7") -> Message:
    return Message(CHAT, message_id, Sender(user, "Ann"), at,
                   (Segment(Kind.TEXT, text),), edited=edited)


async def test_one_message_under_two_update_ids_is_handled_once_and_each_edit_once() -> None:
    seen: list[str] = []

    async def handler(event: Message, gateway: Any) -> None:
        seen.append(event.text)

    dispatcher = Dispatcher(UpdateLedger())
    dispatcher.on(Message, handler)
    gateway = RecordingGateway("test")
    await dispatcher(message("hello"), gateway, "tg:1")
    await dispatcher(message("hello"), gateway, "tg:2")  # the same message, another update
    edit = message("hello, edited", edited=True, at=NOW + timedelta(minutes=1))
    await dispatcher(edit, gateway, "tg:3")
    await dispatcher(edit, gateway, "tg:4")
    assert seen == ["hello", "hello, edited"]
    assert dispatcher.duplicates == 2


async def test_an_ad_delivered_under_two_update_ids_is_deleted_once_with_one_warn(
    services: Services,
) -> None:
    gateway = RecordingGateway("test")
    await services.dispatcher(message(AD, "77", user="test:66"), gateway, "tg:100")
    await services.dispatcher(message(AD, "77", user="test:66"), gateway, "tg:101")
    await services.enforcer.flush()
    assert [c.args["message_ids"] for c in gateway.of("delete")] == [["77"]]
    async with services.db.session() as session:
        from storage.logs import LogRepo

        assert len(await LogRepo(session).recent(CHAT, 10)) == 1


class RowsFail(Exception):
    """A row-level failure (like an IntegrityError)."""


class OperationalError(Exception):
    """Named like the database driver's transient error."""


async def test_isolate_drops_only_the_rows_failing_alone() -> None:
    written: list[int] = []

    async def write(items: list[int]) -> None:
        if any(i % 7 == 3 for i in items):
            raise RowsFail
        written.extend(items)

    kept, dropped = await isolate(write, list(range(40)))
    assert kept == [] and dropped == [3, 10, 17, 24, 31, 38]
    assert sorted(written) == [i for i in range(40) if i % 7 != 3]


async def test_a_transient_failure_keeps_the_whole_batch_for_a_retry() -> None:
    calls: list[list[int]] = []

    async def down(items: list[int]) -> None:
        calls.append(items)
        raise OperationalError("database is locked")

    assert await isolate(down, [1, 2, 3]) == ([1, 2, 3], [])
    assert calls == [[1, 2, 3]]  # not split: the rows are not at fault
    batch = WriteBehind(down, "numbers")
    batch.add(1)
    assert await batch.flush() == 0 and len(batch) == 1 and batch.dropped == 0


async def test_a_poisoned_member_never_blocks_the_activity_of_the_others(
    services: Services, caplog: pytest.LogCaptureFixture,
) -> None:
    faults = Faults()
    buffer = ActivityBuffer(services.store, faults=faults)
    good = [Sender(f"test:{n}", f"m{n}", f"user{n}") for n in range(5)]
    odd = replace(Sender("test:99", "odd"), username=12345)  # type: ignore[arg-type]
    for sender in (*good, odd):
        await buffer.note(CHAT, sender, NOW)
    poisoned = Sender("test:98", "bad")
    await buffer.note(CHAT, poisoned, "not a time")  # type: ignore[arg-type]
    await buffer.flush()
    async with services.db.session() as session:
        repo = MemberRepo(session)
        counts = {s.id: (await repo.get(CHAT, s.id)) for s in (*good, odd, poisoned)}
    assert all(counts[s.id] is not None and counts[s.id].message_count == 1  # type: ignore[union-attr]
               for s in (*good, odd))
    assert counts["test:98"] is None
    assert faults.counts["activity.dropped"] == 1
    await buffer.flush()  # nothing left to retry: the bad row is gone
    assert faults.counts.get("activity.retry", 0) == 0
    assert "Traceback" not in caplog.text


def test_repeated_fault_lines_are_rate_limited_and_summarised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    faults = Faults(burst=3, per=60.0, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="qunguan.faults")
    for n in range(10):
        faults.note("telegram.invalid", "skipping telegram update %s: %s", n, "odd")
    now[0] = 61.0
    faults.note("telegram.invalid", "skipping telegram update %s: %s", 10, "odd")
    lines = [r.getMessage() for r in caplog.records]
    assert lines[:3] == [f"skipping telegram update {n}: odd" for n in range(3)]
    assert lines[3] == "telegram.invalid: 7 more like the above in 61s were not logged"
    assert lines[4] == "skipping telegram update 10: odd" and len(lines) == 5
    assert faults.snapshot() == {"telegram.invalid": 11}
