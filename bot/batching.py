"""Write-behind batches: items wait in memory and are written together, none lost on failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


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
            try:
                await self._write(items)
            except Exception:
                log.exception("could not write %d %s; will retry", len(items), self.what)
                self._items[:0] = items
                return 0
            return len(items)
