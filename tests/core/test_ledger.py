"""The update ledger: a delivery is processed once, across batches, flushes and restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.ledger import UpdateLedger
from bot.ports_fake import MemoryProcessedKeys

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


class SlowKeys(MemoryProcessedKeys):
    """Processed keys whose writes take a few loop turns (a write in flight)."""

    async def add_many(self, keys: Sequence[str], at: datetime) -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        await super().add_many(keys, at)


async def test_a_redelivered_key_is_refused() -> None:
    ledger = UpdateLedger(MemoryProcessedKeys(), clock=lambda: NOW)
    assert await ledger.claim("tg:1")
    assert not await ledger.claim("tg:1")


async def test_keys_survive_a_restart_once_finished_and_flushed() -> None:
    store = MemoryProcessedKeys()
    first = UpdateLedger(store, clock=lambda: NOW)
    for n in range(5):
        assert await first.claim(f"tg:{n}")
        first.finish(f"tg:{n}")
    await first.flush()
    restarted = UpdateLedger(store, clock=lambda: NOW + timedelta(minutes=1))
    assert await restarted.load() == 5
    assert not await restarted.claim("tg:3")
    assert await restarted.claim("tg:5")


async def test_a_key_is_not_stored_while_its_update_is_being_handled() -> None:
    """A stored key lets a journal replay skip its update: an update still in its handlers
    (its log entry not written yet) must not have one, however many others were claimed."""
    store = MemoryProcessedKeys()
    ledger = UpdateLedger(store, batch=3, clock=lambda: NOW)
    for n in range(10):
        assert await ledger.claim(f"tg:{n}")
    await asyncio.sleep(0.01)
    await ledger.flush()
    assert store.keys == {}
    ledger.finish("tg:4")
    await ledger.flush()
    assert sorted(store.keys) == ["tg:4"]


async def test_a_flush_writes_only_the_keys_finished_before_it_began() -> None:
    """The app counts the finished keys, writes the effects they left buffered, then their
    keys: one finished in between waits for the next flush (its effects were not written)."""
    store = MemoryProcessedKeys()
    ledger = UpdateLedger(store, clock=lambda: NOW)
    for key in ("tg:1", "tg:2", "tg:3"):
        await ledger.claim(key)
    ledger.finish("tg:1")
    ledger.finish("tg:2")
    ready = ledger.ready()
    ledger.finish("tg:3")  # finished while the effects were being written
    await ledger.flush(ready)
    assert sorted(store.keys) == ["tg:1", "tg:2"]
    await ledger.flush()
    assert sorted(store.keys) == ["tg:1", "tg:2", "tg:3"]


async def test_flush_waits_for_the_write_in_flight() -> None:
    store = SlowKeys()
    ledger = UpdateLedger(store, clock=lambda: NOW)
    for key in ("tg:1", "tg:2"):
        await ledger.claim(key)
        ledger.finish(key)
    writing = asyncio.create_task(ledger.flush())
    await asyncio.sleep(0)
    await ledger.flush()  # e.g. the periodic flush: nothing unsaved, one write in flight
    assert sorted(store.keys) == ["tg:1", "tg:2"]
    await writing
