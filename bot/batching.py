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

    async def flush(self) -> int:
        """Write what waits; returns how many items were written."""
        async with self._lock:
            items, self._items = self._items, []
            if not items:
                return 0
            kept, dropped = await isolate(self._write, items)
            if dropped:
                self.dropped += len(dropped)
                log.error("dropped %d bad %s of %d (each failed alone)", len(dropped),
                          self.what, len(items))
            if kept:
                log.warning("could not write %d %s; will retry", len(kept), self.what)
                self._items[:0] = kept
            return len(items) - len(kept) - len(dropped)
