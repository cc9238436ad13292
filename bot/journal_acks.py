"""Acknowledge only what is durable: deliveries in flight, done, then made durable by a flush
(or, with a journal, once journaled)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from bot.journal import Journal


class Acks:
    """Platform delivery ids (Telegram update ids) from receipt to durability.

    ``begin`` when an update is received, ``end`` when its handling finished (its effects are
    committed or waiting in write-behind buffers), ``commit`` after a flush wrote the buffers of
    everything ``mark`` returned. ``offset`` is what polling may confirm: nothing at or past
    the lowest update not yet durable. Until ``durable_flushes`` is set (the app's flush loop
    commits), ``end`` commits at once (a bare adapter has no buffers of its own).
    """

    def __init__(self) -> None:
        self.durable_flushes = False
        #: with a journal, an update is acknowledged once journaled (replayed after a crash
        #: until done), so one busy chat never holds back the offset for the others
        self.journal: Journal | None = None
        self._open: set[int] = set()
        self._done: set[int] = set()
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._moved = asyncio.Event()
        #: set when something finished: a flush now would let acknowledgement advance
        self.work = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._open) + len(self._done)

    def begin(self, update_id: int) -> None:
        self._open.add(update_id)

    def end(self, update_id: int) -> None:
        if update_id not in self._open:
            return
        self._open.discard(update_id)
        if not self.durable_flushes:
            self._settle((update_id,))
            return
        self._done.add(update_id)
        self.work.set()

    def offset(self, wanted: int) -> int:
        """The getUpdates offset to send when the framework asks for ``wanted``."""
        if self.journal is not None:
            return wanted  # what was received is journaled before this call
        pending = self._open | self._done
        return min(wanted, min(pending)) if pending else wanted

    def mark(self) -> frozenset[int]:
        """Before a flush: the finished updates that flush makes durable."""
        self.work.clear()
        return frozenset(self._done)

    def commit(self, marked: frozenset[int]) -> None:
        """After a successful flush of everything ``marked`` needed."""
        self._done -= marked
        self._settle(marked)

    async def committed(self, marked: frozenset[int]) -> None:
        """``commit``, and the journal told that those updates need no replay."""
        self.commit(marked)
        if self.journal is not None:
            await self.journal.done(marked)

    def _settle(self, ids: Iterable[int]) -> None:
        for update_id in ids:
            waiter = self._waiters.pop(update_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        self._moved.set()
        self._moved = asyncio.Event()

    def durable(self, update_id: int) -> asyncio.Future[None]:
        """Resolves once ``update_id`` (begun) is durable (the webhook answers 200 then)."""
        waiter = self._waiters.get(update_id)
        if waiter is None:
            waiter = self._waiters[update_id] = asyncio.get_running_loop().create_future()
            if update_id not in self._open and update_id not in self._done:
                waiter.set_result(None)
        return waiter

    async def moved(self, timeout: float) -> None:  # noqa: ASYNC109 (a bounded wait)
        """Wait until acknowledgement may have advanced, at most ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._moved.wait()
