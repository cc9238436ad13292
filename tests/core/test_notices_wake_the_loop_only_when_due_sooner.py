"""A notice due after the auto-delete loop's planned turn does not wake it (no storage round
trips per notice); one due sooner does; both are deleted when due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.gateway_fake import RecordingGateway
from bot.notifier import Notifier
from bot.ports_fake import MemoryPendingDeletions

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


class Counted(MemoryPendingDeletions):
    def __init__(self) -> None:
        super().__init__()
        self.turns = 0

    async def next_due(self) -> datetime | None:
        self.turns += 1
        return await super().next_due()


async def test_later_notices_wait_for_the_planned_turn_sooner_ones_wake_it() -> None:
    now = [NOW]
    pending = Counted()
    gateway = RecordingGateway("test")
    after = {"test:-1": timedelta(seconds=60), "test:-2": timedelta(seconds=5)}
    notifier = Notifier(pending, {"test": gateway}, clock=lambda: now[0],
                        auto_delete=lambda chat: after[chat])
    notifier.start()
    try:
        for _ in range(5):
            await asyncio.sleep(0)
        assert pending.turns == 1  # the loop planned its next turn (max_sleep from now)
        for _ in range(10):
            await notifier.notify(gateway, "test:-1", "60 s notice")
        for _ in range(5):
            await asyncio.sleep(0)
        assert pending.turns == 1  # due after the planned turn: no wake-up
        await notifier.notify(gateway, "test:-2", "5 s notice")
        for _ in range(10):
            await asyncio.sleep(0)
        assert pending.turns == 2  # woken: it stored the notices and plans for the 5 s one
        assert len(pending.items) == 11
        now[0] = NOW + timedelta(seconds=61)
        assert await notifier.flush_due() == 11
    finally:
        await notifier.stop()
