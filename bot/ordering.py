"""Per-key lanes: jobs of one key run in submit order, different keys concurrently, bounded."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class PerKeyOrder:
    """``submit(key, job)``: jobs with the same key run one after another, in submit order;
    jobs of different keys run concurrently.

    ``await put(key, job)`` is ``submit`` with backpressure: it waits while ``limit`` jobs are
    in flight (queued or running), so a reader that uses it holds at most ``limit`` jobs in
    memory. ``submit`` never waits (a WebSocket reader must keep reading: a job may itself wait
    for an action reply on that same socket).

    A key's jobs wait in a queue that one task works through while it is not empty (not one
    task per job chained to the one before: a raid's 500 queued updates then cost 500 queue
    entries, not 500 tasks each waiting on its predecessor, and other chats' updates get
    the event loop's turns). The worker yields between jobs, so a key whose jobs never
    suspend still takes one turn per job, not the loop.
    """

    def __init__(self, limit: int = 0, what: str = "event handler") -> None:
        self.limit = limit
        self.what = what
        #: each key's waiting jobs; a gate (the other lanes' share of a joined job) is not
        #: a job of its own and is not counted in flight
        self._queues: dict[str, deque[tuple[Job, bool]]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._count = 0  # jobs queued or running
        self._room = asyncio.Event()
        self._room.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self.failures = 0

    def __len__(self) -> int:
        return self._count

    def submit(self, key: str, job: Job, *also: str) -> None:
        """Run ``job`` after every job submitted before it under ``key`` (and under each of
        ``also``: a job joining two lanes, e.g. a group's migration, waits for both and holds
        up both)."""
        self._count += 1
        self._idle.clear()
        if self.limit and self._count >= self.limit:
            self._room.clear()
        if also:
            job = self._joined((key, *also), job)
        self._enqueue(key, job, True)

    async def put(self, key: str, job: Job, *also: str) -> None:
        """Submit once fewer than ``limit`` jobs are in flight."""
        while self.limit and self._count >= self.limit:
            self._room.clear()
            await self._room.wait()
        self.submit(key, job, *also)

    def _enqueue(self, key: str, job: Job, counted: bool) -> None:
        queue = self._queues.get(key)
        if queue is not None:
            queue.append((job, counted))
            return
        self._queues[key] = deque(((job, counted),))
        worker = asyncio.get_running_loop().create_task(self._work(key))
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    def _joined(self, keys: tuple[str, ...], job: Job) -> Job:
        """``job`` run once every lane of ``keys`` has reached it; those lanes wait for it."""
        loop = asyncio.get_running_loop()
        arrived = [loop.create_future() for _ in keys[1:]]
        finished = loop.create_future()

        def gate(reached: asyncio.Future[None]) -> Job:
            async def hold() -> None:
                reached.set_result(None)
                await asyncio.shield(finished)
            return hold

        for other, reached in zip(keys[1:], arrived, strict=True):
            self._enqueue(other, gate(reached), False)

        async def run() -> None:
            try:
                await asyncio.gather(*arrived)
                await job()
            finally:
                finished.set_result(None)
        return run

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                job, counted = queue.popleft()
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self.failures += 1
                    log.exception("%s failed", self.what)
                finally:
                    if counted:
                        self._done()
                await asyncio.sleep(0)  # one turn per job: other lanes and intake go between
        finally:
            if self._queues.get(key) is queue:
                del self._queues[key]
            for _ in range(sum(counted for _, counted in queue)):
                self._done()  # cancelled: what never ran is not in flight any more
            queue.clear()

    def _done(self) -> None:
        self._count -= 1
        if not self.limit or self._count < self.limit:
            self._room.set()
        if not self._count:
            self._idle.set()

    async def drain(self) -> None:
        """Wait until every submitted job has finished (tests; graceful stop)."""
        while self._count:
            await self._idle.wait()

    async def cancel(self) -> None:
        workers = list(self._workers)
        for worker in workers:
            worker.cancel()
        if workers:
            await asyncio.wait(workers)
