"""Supervision of the update task: updates accepted but none handled for a while → restart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from bot.faults import Faults

log = logging.getLogger(__name__)


class Watchdog:
    """Compares updates accepted (acknowledged to Telegram) with updates handled.

    When some wait and none has been handled for ``stall`` seconds, the task that reads them
    is dead or stuck: say so loudly (ERROR, counted as ``telegram.stalled``) and ``restart``
    it. ``check`` is one look (tests call it); ``run`` looks every ``stall / 4`` seconds.
    """

    def __init__(self, accepted: Callable[[], int], handled: Callable[[], int],
                 restart: Callable[[], Awaitable[None]], *, stall: float = 120.0,
                 faults: Faults | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.accepted = accepted
        self.handled = handled
        self.restart = restart
        self.stall = stall
        self.faults = faults or Faults()
        self.clock = clock
        self.restarts = 0
        self._handled = handled()
        self._progress = clock()
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> bool:
        """True when the update task was found stalled and restarted."""
        now, accepted, handled = self.clock(), self.accepted(), self.handled()
        if handled != self._handled or accepted <= handled:
            self._handled, self._progress = handled, now
            return False
        if now - self._progress < self.stall:
            return False
        self.faults.note("telegram.stalled",
                         "telegram: %d updates acknowledged but none handled for %.0fs; "
                         "restarting the update task", accepted - handled, now - self._progress,
                         level=logging.ERROR)
        self.restarts += 1
        await self.restart()
        self._progress = self.clock()
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(max(self.stall / 4, 0.05))
            try:
                await self.check()
            except Exception as exc:  # the watchdog itself must not die
                self.faults.note("telegram.watchdog", "telegram watchdog failed: %s",
                                 type(exc).__name__, level=logging.ERROR)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="qunguan-telegram-watchdog")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
