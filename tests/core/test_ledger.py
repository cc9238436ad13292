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


async def test_keys_survive_a_restart_once_flushed() -> None:
    store = MemoryProcessedKeys()
    first = UpdateLedger(store, clock=lambda: NOW)
    for n in range(5):
        assert await first.claim(f"tg:{n}")
    await first.flush()
    restarted = UpdateLedger(store, clock=lambda: NOW + timedelta(minutes=1))
    assert await restarted.load() == 5
    assert not await restarted.claim("tg:3")
    assert await restarted.claim("tg:5")


async def test_a_full_batch_is_stored_without_a_flush() -> None:
    """In the background: the claim that fills a batch does not wait for the write."""
    store = SlowKeys()
    ledger = UpdateLedger(store, batch=3, clock=lambda: NOW)
    for n in range(3):
        assert await ledger.claim(f"tg:{n}")
    assert store.keys == {}  # the write has started, the claim did not wait for it
    await asyncio.sleep(0.05)
    assert sorted(store.keys) == ["tg:0", "tg:1", "tg:2"]
    assert await ledger.claim("tg:3")
    await asyncio.sleep(0.05)
    assert sorted(store.keys) == ["tg:0", "tg:1", "tg:2"]  # the fourth waits for the next batch


async def test_flush_waits_for_the_write_in_flight() -> None:
    store = SlowKeys()
    ledger = UpdateLedger(store, batch=2, clock=lambda: NOW)
    await ledger.claim("tg:1")
    claiming = asyncio.create_task(ledger.claim("tg:2"))  # completes a batch: a write starts
    await asyncio.sleep(0)
    await ledger.flush()  # e.g. the periodic flush: nothing unsaved, one write in flight
    assert sorted(store.keys) == ["tg:1", "tg:2"]
    assert await claiming
