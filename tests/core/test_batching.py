"""Write-behind batches: one write per flush, nothing lost on failure, flush waits for a write."""

from __future__ import annotations

import asyncio
import contextlib

from bot.batching import WriteBehind, unbroken


async def test_a_flush_writes_everything_added_in_one_call_and_says_when_a_batch_is_full(
        ) -> None:
    written: list[list[int]] = []

    async def write(items: list[int]) -> None:
        written.append(items)

    batch = WriteBehind(write, "numbers", batch=3)
    assert [batch.add(n) for n in (1, 2, 3)] == [False, False, True]
    assert await batch.flush() == 3 and await batch.flush() == 0
    assert written == [[1, 2, 3]] and len(batch) == 0


async def test_a_failed_write_keeps_the_items_in_order_for_the_next_flush() -> None:
    attempts: list[list[int]] = []

    async def flaky(items: list[int]) -> None:
        attempts.append(list(items))
        if len(attempts) == 1:
            raise ConnectionError("database restarting")

    batch = WriteBehind(flaky, "numbers")
    batch.add(1)
    assert await batch.flush() == 0
    batch.add(2)
    assert await batch.flush() == 2
    assert attempts == [[1], [1, 2]]


async def test_a_flush_returns_only_after_the_write_already_in_flight() -> None:
    release = asyncio.Event()
    stored: list[int] = []

    async def slow(items: list[int]) -> None:
        await release.wait()
        stored.extend(items)

    batch = WriteBehind(slow, "numbers")
    batch.add(1)
    first = asyncio.create_task(batch.flush())
    await asyncio.sleep(0)
    second = asyncio.create_task(batch.flush())  # nothing new, but must wait for the first
    await asyncio.sleep(0)
    assert not second.done()
    release.set()
    await asyncio.gather(first, second)
    assert stored == [1]


async def test_a_flush_cancelled_while_writing_writes_its_batch_once_then_is_cancelled() -> None:
    """Cancelled half way (a stop), a batch out of its buffer is neither lost nor put back
    to be written twice: the write ends, then the cancellation comes through."""
    started, release = asyncio.Event(), asyncio.Event()
    written: list[list[int]] = []

    async def slow(items: list[int]) -> None:
        started.set()
        await release.wait()
        written.append(items)

    batch = WriteBehind(slow, "numbers")
    batch.add(1)
    flushing = asyncio.create_task(batch.flush())
    await started.wait()
    flushing.cancel()
    await asyncio.sleep(0.01)
    assert not flushing.done()  # still waiting for the write's outcome
    release.set()
    with contextlib.suppress(asyncio.CancelledError):
        await flushing
    assert flushing.cancelled()
    assert written == [[1]] and len(batch) == 0
    assert await batch.flush() == 0 and written == [[1]]


async def test_unbroken_returns_the_writes_result_when_nobody_cancels() -> None:
    async def write() -> int:
        await asyncio.sleep(0)
        return 7

    assert await unbroken(write()) == 7


async def test_a_timeout_that_interrupts_a_write_still_ends_as_a_timeout() -> None:
    """The cancellation let through after the write is the timeout's own: the caller's
    ``asyncio.timeout`` turns it into TimeoutError, as without the write."""
    release = asyncio.Event()

    async def slow() -> int:
        await release.wait()
        return 1

    async def caller() -> str:
        try:
            async with asyncio.timeout(0.01):
                await unbroken(slow())
                await asyncio.sleep(1)
        except TimeoutError:
            return "timed out"
        return "finished"

    calling = asyncio.create_task(caller())
    await asyncio.sleep(0.05)
    release.set()
    assert await calling == "timed out"
