"""A durable journal of received updates: acknowledged once written, replayed after a crash."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Journal:
    """Append-only JSON lines: ``{"u": raw update}`` when received (fsync'd before the platform
    is told), ``{"d": [update ids]}`` once their effects are durable. ``pending()`` at start
    gives the received updates not marked done, in order, for replay; the file is then
    rewritten to hold only them."""

    def __init__(self, path: Path, *, compact_after: int = 100_000) -> None:
        self.path = path
        self.compact_after = compact_after
        self._lines = 0
        self._lock = asyncio.Lock()
        self._open: dict[int, dict[str, Any]] = {}

    def pending(self) -> list[dict[str, Any]]:
        """Received but not done (read once, at start); the journal is compacted to them."""
        received: dict[int, dict[str, Any]] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        entry = json.loads(line)
                    except ValueError:  # a line torn by the crash: it was never acknowledged
                        continue
                    if isinstance(entry, dict) and isinstance(entry.get("u"), dict):
                        ident = entry["u"].get("update_id")
                        if isinstance(ident, int):
                            received[ident] = entry["u"]
                    elif isinstance(entry, dict) and isinstance(entry.get("d"), list):
                        for ident in entry["d"]:
                            received.pop(ident, None)
        self._open = dict(sorted(received.items()))
        self._rewrite()
        return list(self._open.values())

    def _rewrite(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            for raw in self._open.values():
                out.write(json.dumps({"u": raw}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        self._lines = len(self._open)

    def _append(self, lines: Sequence[str], sync: bool) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write("".join(lines))
            out.flush()
            if sync:
                os.fsync(out.fileno())

    async def received(self, raws: Sequence[object]) -> None:
        """Write received raw updates and sync them to disk (then they may be acknowledged)."""
        fresh: dict[int, dict[str, Any]] = {}
        for raw in raws:
            ident = raw.get("update_id") if isinstance(raw, dict) else None
            if isinstance(raw, dict) and isinstance(ident, int) and ident not in self._open:
                fresh[ident] = raw
        if fresh:
            lines = [json.dumps({"u": raw}) + "\n" for raw in fresh.values()]
            async with self._lock:
                await asyncio.to_thread(self._append, lines, True)
                self._lines += len(lines)
            # open once on disk: a failed write leaves them out, so the redelivery that
            # follows (nothing was confirmed) is written, not skipped as already journaled
            self._open.update(fresh)

    async def done(self, update_ids: Iterable[int]) -> None:
        """Mark updates whose effects are durable (their replay is no longer needed)."""
        ids = [i for i in update_ids if self._open.pop(i, None) is not None]
        if not ids:
            return
        async with self._lock:
            await asyncio.to_thread(self._append, [json.dumps({"d": ids}) + "\n"], False)
            self._lines += 1
            if self._lines > self.compact_after:
                await asyncio.to_thread(self._rewrite)
