"""Plain counters the core and adapters bump on the hot path, read only when /metrics is scraped."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable

#: upper bounds (seconds) of the platform-call latency buckets; ``+Inf`` is implied
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: ``Faults`` causes that are malformed input (``qunguan_malformed_updates_total``), not errors
MALFORMED_CAUSES = frozenset({"telegram.invalid", "telegram.unmappable",
                              "telegram.webhook_body", "onebot.invalid"})

#: what became of one delivery in the dispatcher
HANDLED, DUPLICATE, FAILED, MALFORMED = "handled", "duplicate", "failed", "malformed"


class Latency:
    """A fixed-bucket histogram: one count per bucket (not cumulative) and the running sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BUCKETS, seconds)] += 1  # le is inclusive: 0.005 is in 0.005
        self.total += seconds

    def cumulative(self) -> list[tuple[str, float]]:
        """``[(le, count of observations <= le), …, ("+Inf", all)]``, as exposition wants."""
        out: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*map(str, BUCKETS), "+Inf"), self.counts, strict=True):
            running += count
            out.append((bound, float(running)))
        return out

    @property
    def count(self) -> int:
        return sum(self.counts)


class Meter:
    """What happened, counted in plain dicts: no locks, no label objects, no I/O.

    The dispatcher counts deliveries by platform and outcome, the enforcer decisions and
    their symbols, the adapters' call wrappers platform calls (with latency) and their intake
    malformed updates. ``bot.adapters.metrics`` turns a snapshot into Prometheus families.
    """

    def __init__(self) -> None:
        self.started = time.time()
        #: (platform, outcome) → deliveries: handled / duplicate / failed / malformed
        self.updates: Counter[tuple[str, str]] = Counter()
        #: (action label, mode) → decisions at flag or above; mode is enforce or observe
        self.decisions: Counter[tuple[str, str]] = Counter()
        #: symbol → decisions it contributed to
        self.symbols: Counter[str] = Counter()
        #: (platform, method, outcome) → platform calls (each attempt, retries included)
        self.calls: Counter[tuple[str, str, str]] = Counter()
        #: platform → call latency
        self.latency: dict[str, Latency] = {}
        #: (platform, cause) → malformed updates skipped at intake
        self.malformed: Counter[tuple[str, str]] = Counter()

    def update(self, platform: str, outcome: str) -> None:
        self.updates[(platform, outcome)] += 1

    def decision(self, action: str, symbols: Iterable[str], *, observe: bool = False) -> None:
        self.decisions[(action, "observe" if observe else "enforce")] += 1
        for symbol in symbols:
            self.symbols[symbol] += 1

    def call(self, platform: str, method: str, outcome: str, seconds: float) -> None:
        self.calls[(platform, method, outcome)] += 1
        latency = self.latency.get(platform)
        if latency is None:
            latency = self.latency[platform] = Latency()
        latency.observe(seconds)

    def malformed_update(self, platform: str, cause: str) -> None:
        """One update skipped as malformed: counted as a delivery too (outcome malformed)."""
        self.malformed[(platform, cause)] += 1
        self.updates[(platform, MALFORMED)] += 1


def method_of(what: str) -> str:
    """A call's method from its log description: ``deleteMessages(-100…, 3)`` → deleteMessages
    (labels stay few: never a chat id)."""
    name = what.partition("(")[0].strip()
    return name if name.isidentifier() else "other"
