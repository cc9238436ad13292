"""With the outbox, an ad's deletion goes out before its log entry is written (a busy database
never delays it), and the entry still gets one outcome: the deletion's and the sanction's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from bot.enforcer import Enforcer
from bot.events import Kind, Message, Segment, Sender
from bot.gateway import ALL_CAPABILITIES
from bot.gateway_fake import RecordingGateway
from bot.i18n import t
from bot.ladder import Ladder
from bot.notifier import Notifier
from bot.outbox import Outbox
from bot.outbox_notices import NoticeDesk
from bot.ports_fake import MemoryModerationStore, MemoryPendingDeletions
from bot.raid import RaidWatch
from bot.verdict import Action, Decision, Verdict

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
AD = Verdict("AD_CONTACT_WECHAT", 6.0, t("advertising", "广告"), "加V", policy="ads")


class SlowStore(MemoryModerationStore):
    """A database whose write lock is held elsewhere until ``free`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.free = asyncio.Event()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryModerationStore]:
        await self.free.wait()
        yield self


def msg(n: int) -> Message:
    return Message("test:1", str(n), Sender("test:7", "Spammer"), NOW,
                   (Segment(Kind.TEXT, "加V 123"),))


def setup() -> tuple[Enforcer, SlowStore, RecordingGateway, Outbox]:
    store, gateway = SlowStore(), RecordingGateway("test", ALL_CAPABILITIES)
    notifier = Notifier(MemoryPendingDeletions(), {"test": gateway}, clock=lambda: NOW)
    raids = RaidWatch()
    enforcer = Enforcer(store, notifier)
    outbox = Outbox(enforcer.record, NoticeDesk(notifier, raids, window=0.01), raids,
                    in_line=frozenset())
    enforcer.outbox = outbox
    return enforcer, store, gateway, outbox


async def test_an_ads_deletion_goes_out_while_its_log_write_waits() -> None:
    enforcer, store, gateway, outbox = setup()
    snap = await store.snapshot("test:1", "test:7", NOW)
    done = asyncio.create_task(enforcer.enforce(
        msg(5), Decision(Action.WARN, 6.0, (AD,)), snap, gateway, ladder=Ladder(), now=NOW,
        lang="en"))
    for _ in range(20):
        await asyncio.sleep(0)
    assert [(c.name, c.args["message_ids"]) for c in gateway.of("delete")] == [("delete", ["5"])]
    assert not store.entries and not done.done()  # the log still waits for the database
    store.free.set()
    assert (await done).action == Action.WARN
    await outbox.drain()
    await enforcer.flush()
    assert [(e.action, e.outcome) for e in store.entries] == [(Action.WARN, "delete: ok")]
    assert len(gateway.of("delete")) == 1  # not deleted again with the rest


async def test_an_escalated_sanction_and_the_early_deletion_share_one_outcome() -> None:
    enforcer, store, gateway, outbox = setup()
    store.free.set()
    warn = Decision(Action.WARN, 6.0, (AD,))
    for n in range(2):
        snap = await store.snapshot("test:1", "test:7", NOW)
        await enforcer.enforce(msg(n), warn, snap, gateway, ladder=Ladder(), now=NOW,
                               lang="en")
    await outbox.drain()
    await enforcer.flush()
    assert [e.action for e in store.entries] == [Action.WARN, Action.MUTE]
    assert sorted(store.entries[1].outcome.split("; ")) == ["delete: ok", "mute: ok"]
    deleted = [m for c in gateway.of("delete") for m in c.args["message_ids"]]
    assert sorted(deleted) == ["0", "1"] and len(gateway.of("mute")) == 1
