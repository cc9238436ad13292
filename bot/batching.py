"""Write-behind batches: items wait in memory and are written together; a failed batch is kept
for the next try, or, when some of its rows are bad, the bad rows are found and dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

_TRANSIENT_NAMES = frozenset({"OperationalError", "InterfaceError", "DisconnectionError",
                              "TimeoutError", "PoolTimeoutError"})


def transient(exc: BaseException) -> bool:
    """Whether a write failed for a reason of the moment (database down, locked, timed out),
    not for the rows it carried; told by type name so the core needs no driver import."""
    if isinstance(exc, OSError | TimeoutError) or getattr(exc, "connection_invalidated", False):
        return True
    return any(kind.__name__ in _TRANSIENT_NAMES for kind in type(exc).__mro__)


async def unbroken(write: Awaitable[T]) -> T:
    """Await ``write`` to its end even when the caller is cancelled meanwhile (a stop, a
    timeout), then let the cancellation through at the caller's next await.

    A batch taken out of its buffer must be written whole or put back: cancelled half way, a
    commit may still land in the driver's thread (putting the batch back would write it
    twice) or not (dropping it would lose it). Waiting for the outcome avoids guessing."""
    task = asyncio.ensure_future(write)
    current = asyncio.current_task()
    interrupted = False
    while True:
        try:
            result = await asyncio.shield(task)
            break
        except asyncio.CancelledError:
            if task.cancelled() or current is None:  # the write itself was cancelled
                raise
            interrupted = True
            current.uncancel()  # taken back until the write ended, then asked again once,
            # so that an asyncio.timeout around the caller still sees one cancellation
    if interrupted and current is not None:
        current.cancel()
    return result


async def isolate(write: Callable[[list[T]], Awaitable[object]],
                  items: list[T]) -> tuple[list[T], list[T]]:
    """Write ``items``; returns (kept for a retry, dropped as bad).

    A transient failure keeps everything. Any other failure is the rows' fault: the batch is
    halved until the rows failing alone are found (a few more writes per bad row), and only
    they are dropped; a transient failure on the way keeps what is not written yet."""
    try:
        await write(items)
        return [], []
    except Exception as exc:
        if transient(exc):
            return list(items), []
        if len(items) == 1:
            return [], list(items)
    middle = len(items) // 2
    kept, dropped = await isolate(write, items[:middle])
    if kept:  # transient on the way: stop splitting, keep the rest
        return kept + items[middle:], dropped
    more_kept, more_dropped = await isolate(write, items[middle:])
    return more_kept, dropped + more_dropped


class WriteBehind(Generic[T]):
    """``add`` is the hot path (no I/O; True once ``batch`` items wait, so the caller may
    flush). ``flush`` writes every item added so far in one ``write`` call, after any write
    already in flight, so that it returns only when they are stored; on failure the items
    stay for the next flush."""

    def __init__(self, write: Callable[[list[T]], Awaitable[object]], what: str,
                 *, batch: int = 200) -> None:
        self._write = write
        self.what = what
        self.batch = batch
        self._items: list[T] = []
        self._lock = asyncio.Lock()
        self.dropped = 0  # bad items found and dropped (a poisoned batch never blocks the rest)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> bool:
        self._items.append(item)
        return len(self._items) >= self.batch

    async def flush(self, first: int | None = None) -> int:
        """Write what waits (its ``first`` items only, if given); returns how many items were
        written."""
        async with self._lock:
            cut = len(self._items) if first is None else min(first, len(self._items))
            items, self._items = self._items[:cut], self._items[cut:]
            if not items:
                return 0
            kept, dropped = await unbroken(isolate(self._write, items))
            if dropped:
                self.dropped += len(dropped)
                log.error("dropped %d bad %s of %d (each failed alone)", len(dropped),
                          self.what, len(items))
            if kept:
                log.warning("could not write %d %s; will retry", len(kept), self.what)
                self._items[:0] = kept
            return len(items) - len(kept) - len(dropped)
