"""The auto-delete loop stops when asked, even when a new notice wakes it at that moment."""

from __future__ import annotations

import asyncio

from bot.gateway_fake import RecordingGateway
from bot.notifier import Notifier
from bot.ports_fake import MemoryPendingDeletions


async def test_stop_ends_the_loop_even_when_a_wake_up_arrives_in_the_same_turn() -> None:
    for _ in range(20):
        notifier = Notifier(MemoryPendingDeletions(), {"test": RecordingGateway("test")})
        notifier.start()
        for _ in range(3):
            await asyncio.sleep(0)  # the loop is now waiting for a wake-up or its timeout
        notifier._wake.set()  # a notice scheduled while the app shuts down
        stopping = asyncio.create_task(notifier.stop())
        done, _ = await asyncio.wait({stopping}, timeout=5)  # a hang, not a speed limit
        assert stopping in done and notifier._task is None
