"""A seeded mutator of raw platform payloads (Telegram updates, OneBot events) for fuzz tests
and benchmarks: real shapes with a few fields swapped for odd values, removed or added."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Sequence
from typing import Any

#: Values that have broken parsers: wrong types, nesting, huge numbers, odd strings.
ODD: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, 2**70, -(2**63), "", " ", "x", "0", "-100", "\u202e\u0000",
    "\ud800", "a" * 5000, "<b>&amp;</b>", "加微信", [], [1, "x"], [[[]]], {}, {"id": [1]},
    {"type": "text", "data": None}, float("nan"),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key/index path in a JSON value (the root excluded)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


class Mutator:
    """``Mutator(seed, shapes).payloads(n)`` yields ``n`` mutated deep copies of the shapes.

    ``keep`` names top-level keys never touched (``update_id``: the Bot API always sends a
    proper one, and polling needs it to move on); ``ids`` assigns fresh values to a top-level
    key per payload (so that each is a new delivery).
    """

    def __init__(self, seed: int, shapes: Sequence[dict[str, Any]], *,
                 keep: frozenset[str] = frozenset(), id_key: str = "",
                 first_id: int = 1, clean: float = 0.1) -> None:
        self.random = random.Random(seed)
        self.shapes = [copy.deepcopy(s) for s in shapes]
        self.keep = keep
        self.id_key = id_key
        self.next_id = first_id
        self.clean = clean

    def mutate(self, payload: dict[str, Any]) -> dict[str, Any]:
        """1 to 4 mutations in place: replace, delete, insert or retype one node."""
        rnd = self.random
        for _ in range(rnd.randint(1, 4)):
            paths = [p for p in _paths(payload) if p[0] not in self.keep]
            if not paths:
                break
            path = rnd.choice(paths)
            parent, last = _parent(payload, path), path[-1]
            roll = rnd.random()
            if roll < 0.55:
                parent[last] = copy.deepcopy(rnd.choice(ODD))
            elif roll < 0.75:
                del parent[last]
            elif roll < 0.9 and isinstance(parent, dict):
                parent[rnd.choice(["from", "id", "text", "user_id", "message", "chat",
                                   "entities", "sender", "data"])] = copy.deepcopy(
                    rnd.choice(ODD))
            else:  # a list where an object was, or the other way round
                value = parent[last]
                parent[last] = [value] if not isinstance(value, list) else {"0": value}
        return payload

    def payloads(self, count: int) -> Iterator[dict[str, Any]]:
        for _ in range(count):
            payload = copy.deepcopy(self.random.choice(self.shapes))
            if self.random.random() >= self.clean:
                payload = self.mutate(payload)
            if self.id_key:
                payload[self.id_key] = self.next_id
                self.next_id += 1
            yield payload
