"""Per-cause counters of skipped input and failures, logged as short, rate-limited lines."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Window:
    started: float
    lines: int = 0
    suppressed: int = 0


@dataclass
class Faults:
    """Counts what was skipped or failed, by cause (``telegram.invalid``, ``onebot.unparsable``,
    ``activity.dropped``…), for metrics; logs each as one line without message text.

    Repeated lines of one cause are rate-limited: at most ``burst`` per ``per`` seconds, then
    one summary line says how many were left out, so a flood of odd input cannot fill a disk.
    """

    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("qunguan.faults"))
    burst: int = 20
    per: float = 60.0
    clock: Callable[[], float] = time.monotonic
    counts: Counter[str] = field(default_factory=Counter)
    _windows: dict[str, _Window] = field(default_factory=dict)

    def note(self, cause: str, line: str, *args: object, level: int = logging.WARNING,
             count: int = 1) -> None:
        """Count ``count`` occurrences of ``cause`` and log ``line % args`` unless rate-limited."""
        self.counts[cause] += count
        if self._allowed(cause, level):
            self.logger.log(level, line, *args)

    def count(self, cause: str, amount: int = 1) -> None:
        """Count without logging (a cause already logged by its caller)."""
        self.counts[cause] += amount

    def _allowed(self, cause: str, level: int) -> bool:
        now = self.clock()
        window = self._windows.get(cause)
        if window is None or now - window.started >= self.per:
            if window is not None and window.suppressed:
                self.logger.log(level, "%s: %d more like the above in %.0fs were not logged",
                                cause, window.suppressed, now - window.started)
            window = self._windows[cause] = _Window(now)
        if window.lines < self.burst:
            window.lines += 1
            return True
        window.suppressed += 1
        return False

    def total(self, prefix: str = "") -> int:
        return sum(n for cause, n in self.counts.items() if cause.startswith(prefix))

    def snapshot(self) -> dict[str, int]:
        """The counters, for a metrics endpoint."""
        return dict(self.counts)
