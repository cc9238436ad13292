"""Sanctions in flight are capped per chat: a raid's hundreds of bans never take every slot, so
another chat's mute goes out while they wait."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.gateway import Outcome
from bot.gateway_fake import RecordingGateway
from bot.notifier import Notifier
from bot.outbox import Order, Outbox
from bot.outbox_notices import NoticeDesk
from bot.ports_fake import MemoryPendingDeletions
from bot.raid import RaidWatch
from bot.verdict import Action


class SlowBans(RecordingGateway):
    """Bans answer only once ``answer`` is set (a distant Bot API under a raid)."""

    def __init__(self) -> None:
        super().__init__("test")
        self.answer = asyncio.Event()
        self.waiting = 0

    async def ban(self, chat: str, user: str, duration: timedelta | None = None) -> Outcome:
        self.waiting += 1
        await self.answer.wait()
        return await super().ban(chat, user, duration)


async def test_a_mute_in_another_chat_is_not_queued_behind_a_raids_bans() -> None:
    gateway = SlowBans()
    raids = RaidWatch()
    notifier = Notifier(MemoryPendingDeletions(), {"test": gateway})

    async def record(log_id: int, summary: str) -> None:
        return None

    outbox = Outbox(record, NoticeDesk(notifier, raids, window=0), raids, in_flight=16,
                    per_chat=4, in_line=frozenset())
    for n in range(100):
        outbox.place(Order(gateway, "test:raid", f"test:{n}", Action.BAN, auto=False))
    outbox.place(Order(gateway, "test:quiet", "test:7", Action.MUTE,
                       duration=timedelta(minutes=10), auto=False))
    for _ in range(20):
        await asyncio.sleep(0)
    assert gateway.waiting == 4  # the raid's chat holds 4 of the 16 slots
    assert [(c.chat, c.args["user"]) for c in gateway.of("mute")] == [("test:quiet", "test:7")]
    gateway.answer.set()
    await outbox.drain()
    assert len(gateway.of("ban")) == 100
