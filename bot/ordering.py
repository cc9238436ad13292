"""Per-key lanes: jobs of one key run in submit order, different keys concurrently, bounded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class PerKeyOrder:
    """``submit(key, job)``: jobs with the same key run one after another, in submit order;
    jobs of different keys run concurrently.

    ``await put(key, job)`` is ``submit`` with backpressure: it waits while ``limit`` jobs are
    in flight (queued or running), so a reader that uses it holds at most ``limit`` jobs in
    memory. ``submit`` never waits (a WebSocket reader must keep reading: a job may itself wait
    for an action reply on that same socket).
    """

    def __init__(self, limit: int = 0, what: str = "event handler") -> None:
        self.limit = limit
        self.what = what
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._room = asyncio.Event()
        self._room.set()
        self.failures = 0

    def __len__(self) -> int:
        return len(self._tasks)

    def submit(self, key: str, job: Callable[[], Awaitable[None]],
               *also: str) -> asyncio.Task[None]:
        """Run ``job`` after every job submitted before it under ``key`` (and under each of
        ``also``: a job joining two lanes, e.g. a group's migration, waits for both and holds
        up both)."""
        keys = (key, *also)
        previous = [tail for k in keys if (tail := self._tails.get(k)) is not None]
        task = asyncio.get_running_loop().create_task(self._run(previous, job))
        for k in keys:
            self._tails[k] = task
        self._tasks.add(task)
        if self.limit and len(self._tasks) >= self.limit:
            self._room.clear()
        task.add_done_callback(lambda done: self._forget(keys, done))
        return task

    async def put(self, key: str, job: Callable[[], Awaitable[None]],
                  *also: str) -> asyncio.Task[None]:
        """Submit once fewer than ``limit`` jobs are in flight."""
        while self.limit and len(self._tasks) >= self.limit:
            self._room.clear()
            await self._room.wait()
        return self.submit(key, job, *also)

    async def _run(
        self, previous: list[asyncio.Task[None]], job: Callable[[], Awaitable[None]]
    ) -> None:
        waiting = [task for task in previous if not task.done()]
        if waiting:
            await asyncio.wait(waiting)
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            self.failures += 1
            log.exception("%s failed", self.what)

    def _forget(self, keys: tuple[str, ...], task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        for key in keys:
            if self._tails.get(key) is task:
                del self._tails[key]
        if not self.limit or len(self._tasks) < self.limit:
            self._room.set()

    async def drain(self) -> None:
        """Wait until every submitted job has finished (tests; graceful stop)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def cancel(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
