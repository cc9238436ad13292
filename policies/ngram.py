"""A character n-gram naive Bayes spam model: learns incrementally, works without segmentation.

Features are the distinct character 1–3-grams of the normalised text (binarised multinomial
naive Bayes, which suits short chat messages better than raw counts). Chinese needs no word
segmentation: bigrams and trigrams of Han characters carry most of the signal.

Features are kept as their n-gram strings in a bounded table rather than hashed into buckets:
Python's ``hash`` is salted per process, and strings serialise stably. When the table outgrows
``max_features`` the rarest n-grams are pruned.

Persistence is compact JSON compressed with zlib (never pickle): ``to_bytes``/``from_bytes``.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable
from itertools import repeat
from typing import Any

from policies.normalize import normalize

FORMAT = "qunguan-ngram"
VERSION = 1


def grams(text: str, *, limit: int = 1000, orders: Iterable[int] = (1, 2, 3)) -> set[str]:
    """The distinct character n-grams of the normalised ``text`` (first ``limit`` characters)."""
    folded = normalize(text)[:limit]
    found: set[str] = set()
    for n in orders:
        found.update(folded[i : i + n] for i in range(len(folded) - n + 1))
    found.discard(" ")
    return found


class NgramModel:
    """Binarised multinomial naive Bayes over character n-grams, spam vs ham."""

    def __init__(self, *, alpha: float = 0.5, max_features: int = 300_000, limit: int = 1000):
        self.alpha = alpha
        self.max_features = max_features
        self.limit = limit
        self.docs = [0, 0]  # spam, ham
        self.totals = [0, 0]  # n-gram occurrences per class
        self.counts: dict[str, list[int]] = {}
        self._weights: dict[str, float] | None = None

    @property
    def examples(self) -> int:
        return self.docs[0] + self.docs[1]

    @property
    def spam_examples(self) -> int:
        return self.docs[0]

    @property
    def ham_examples(self) -> int:
        return self.docs[1]

    def learn(self, text: str, spam: bool) -> None:
        """Add one labelled message."""
        features = grams(text, limit=self.limit)
        if not features:
            return
        side = 0 if spam else 1
        self.docs[side] += 1
        self.totals[side] += len(features)
        counts = self.counts
        for gram in features:
            pair = counts.get(gram)
            if pair is None:
                counts[gram] = pair = [0, 0]
            pair[side] += 1
        self._weights = None
        if len(counts) > self.max_features:
            self._prune()

    def forget(self, text: str, spam: bool) -> None:
        """Undo one earlier ``learn`` of the same message with the same label."""
        side = 0 if spam else 1
        if self.docs[side] == 0:
            return
        features = grams(text, limit=self.limit)
        self.docs[side] -= 1
        for gram in features:
            pair = self.counts.get(gram)
            if pair is not None and pair[side] > 0:
                pair[side] -= 1
                self.totals[side] -= 1
                if pair == [0, 0]:
                    del self.counts[gram]
        self._weights = None

    def _prune(self) -> None:
        """Drop the rarest n-grams until the table is at 80 % of its bound."""
        keep = int(self.max_features * 0.8)
        ranked = sorted(self.counts.items(), key=lambda item: item[1][0] + item[1][1])
        for gram, (spam, ham) in ranked[: len(ranked) - keep]:
            del self.counts[gram]
            self.totals[0] -= spam
            self.totals[1] -= ham

    def _weight_table(self) -> dict[str, float]:
        if self._weights is None:
            vocabulary = len(self.counts) + 1
            alpha = self.alpha
            spam_denominator = math.log(self.totals[0] + alpha * vocabulary)
            ham_denominator = math.log(self.totals[1] + alpha * vocabulary)
            bias = ham_denominator - spam_denominator
            self._weights = {
                gram: math.log(spam + alpha) - math.log(ham + alpha) + bias
                for gram, (spam, ham) in self.counts.items()
            }
        return self._weights

    def log_odds(self, text: str) -> float:
        """Log odds that ``text`` is spam (0.0 = undecided)."""
        if self.docs[0] == 0 or self.docs[1] == 0:
            return 0.0
        weights = self._weight_table()
        features = grams(text, limit=self.limit)
        prior = math.log(self.docs[0] / self.docs[1])
        return prior + math.fsum(map(weights.get, features, repeat(0.0)))

    def spam_probability(self, text: str) -> float:
        """Probability in [0, 1] that ``text`` is spam; 0.5 before both classes are seen."""
        odds = self.log_odds(text)
        if odds >= 0:
            return 1.0 / (1.0 + math.exp(-min(odds, 700.0)))
        exp = math.exp(max(odds, -700.0))
        return exp / (1.0 + exp)

    def to_bytes(self) -> bytes:
        """Compact persistent form: zlib-compressed JSON."""
        payload: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "alpha": self.alpha,
            "max_features": self.max_features,
            "limit": self.limit,
            "docs": self.docs,
            "totals": self.totals,
            "counts": self.counts,
        }
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return zlib.compress(raw.encode("utf-8"), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> NgramModel:
        """Rebuild a model from ``to_bytes`` output; ValueError if it is not one."""
        try:
            payload = json.loads(zlib.decompress(data).decode("utf-8"))
        except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a serialised n-gram model: {exc}") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError("not a serialised n-gram model: wrong format marker")
        if payload.get("version") != VERSION:
            raise ValueError(f"unsupported n-gram model version {payload.get('version')!r}")
        model = cls(
            alpha=float(payload["alpha"]),
            max_features=int(payload["max_features"]),
            limit=int(payload["limit"]),
        )
        model.docs = [int(x) for x in payload["docs"]]
        model.totals = [int(x) for x in payload["totals"]]
        model.counts = {str(g): [int(p[0]), int(p[1])] for g, p in payload["counts"].items()}
        return model
