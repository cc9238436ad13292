"""A character n-gram logistic-regression spam model, retrained from bounded labelled examples.

Features are the distinct character 1–4-grams of the normalised text plus the 1–2-grams of the
original lower-cased text (marked ``\\x01``; they keep the disguise itself — math digits, runes,
look-alikes — as evidence), binary and L2-normalised (each present n-gram weighs 1/√k).
Chinese needs no segmentation: Han bigrams to 4-grams carry most of the signal.

Training is batch L2 logistic regression (scikit-learn's liblinear, balanced class weights)
over the most recent ``max_examples`` labelled messages, refitted lazily on the first
prediction after a ``learn``/``forget``. Prediction needs neither scikit-learn nor numpy: the
fitted weights are a dict from n-gram to weight, pruned to ``max_features`` entries, and a
message is scored with dict look-ups (n-grams are strings, so the model is the same in every
process; no hashing salt is involved).

Persistence is a small JSON header, the n-grams and the examples as UTF-8 text and the weights
as float32 bytes, compressed with zlib (never pickle): ``to_bytes``/``from_bytes``.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections import deque
from collections.abc import Iterable
from itertools import repeat

from policies.normalize import normalize

FORMAT = "qunguan-ngram"
VERSION = 2
#: Orders of the n-grams of the normalised text, and of the original text.
ORDERS = (1, 2, 3, 4)
RAW_ORDERS = (1, 2)
_RAW_MARK = "\x01"
_SEP = "\x00"


def grams(text: str, *, limit: int = 1000) -> set[str]:
    """The distinct n-gram features of ``text`` (its first ``limit`` characters)."""
    head = text[:limit]
    folded = normalize(head)
    size = len(folded)
    found = {folded[i : i + n] for n in ORDERS for i in range(size - n + 1)}
    raw = _RAW_MARK + head.lower()
    size = len(raw)
    found.update(raw[i : i + n] for n in RAW_ORDERS for i in range(size - n + 1))
    found.discard(" ")
    found.discard(_RAW_MARK)
    return found


class NgramModel:
    """Logistic regression over binary character n-grams, spam vs ham."""

    def __init__(
        self,
        *,
        c: float = 30.0,
        max_examples: int = 20_000,
        max_features: int = 300_000,
        limit: int = 1000,
    ) -> None:
        self.c = c
        self.max_examples = max_examples
        self.max_features = max_features
        self.limit = limit
        self._examples: deque[tuple[str, bool]] = deque(maxlen=max_examples)
        self._spam = 0  # spam examples among ``_examples``
        self._weights: dict[str, float] = {}
        self._bias = 0.0
        self._fresh = True  # weights match the examples

    # -- examples ---------------------------------------------------------------------------

    @property
    def examples(self) -> int:
        return len(self._examples)

    @property
    def spam_examples(self) -> int:
        return self._spam

    @property
    def ham_examples(self) -> int:
        return self.examples - self.spam_examples

    def learn(self, text: str, spam: bool) -> None:
        """Add one labelled message (the oldest is dropped past ``max_examples``)."""
        text = text[: self.limit].replace(_SEP, "")
        if not text.strip():
            return
        if len(self._examples) == self.max_examples:
            self._spam -= self._examples[0][1]
        self._examples.append((text, spam))
        self._spam += spam
        self._fresh = False

    def learn_many(self, rows: Iterable[tuple[bool, str]]) -> int:
        """Add ``(spam, text)`` rows; returns how many were added."""
        before = len(self._examples)
        for spam, text in rows:
            self.learn(text, spam)
        return len(self._examples) - before

    def forget(self, text: str, spam: bool) -> None:
        """Undo the latest ``learn`` of the same message with the same label."""
        key = (text[: self.limit].replace(_SEP, ""), spam)
        for index in range(len(self._examples) - 1, -1, -1):
            if self._examples[index] == key:
                del self._examples[index]
                self._spam -= spam
                self._fresh = False
                return

    # -- fitting ----------------------------------------------------------------------------

    def fit(self) -> None:
        """Refit the weights to the current examples (no-op when they are already fitted)."""
        if self._fresh:
            return
        self._fresh = True
        labels = [spam for _, spam in self._examples]
        if all(labels) or not any(labels):
            self._weights, self._bias = {}, 0.0
            return
        from policies.ngram_fit import fit_weights

        rows = [grams(text, limit=self.limit) for text, _ in self._examples]
        self._weights, self._bias = fit_weights(rows, labels, c=self.c, keep=self.max_features)

    # -- prediction -------------------------------------------------------------------------

    def log_odds(self, text: str) -> float:
        """Log odds that ``text`` is spam (0.0 = undecided, e.g. before both classes are seen)."""
        self.fit()
        if not self._weights:
            return 0.0
        features = grams(text, limit=self.limit)
        if not features:
            return self._bias
        total = math.fsum(map(self._weights.get, features, repeat(0.0)))
        return self._bias + total / math.sqrt(len(features))

    def spam_probability(self, text: str) -> float:
        """Probability in [0, 1] that ``text`` is spam; 0.5 before both classes are seen."""
        odds = self.log_odds(text)
        if odds >= 0:
            return 1.0 / (1.0 + math.exp(-min(odds, 700.0)))
        exp = math.exp(max(odds, -700.0))
        return exp / (1.0 + exp)

    # -- persistence ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """zlib(JSON header line + n-grams + examples as text + float32 weights)."""
        names = list(self._weights) if self._fresh else []
        texts = [text for text, _ in self._examples]
        header = {
            "format": FORMAT,
            "version": VERSION,
            "c": self.c,
            "max_examples": self.max_examples,
            "max_features": self.max_features,
            "limit": self.limit,
            "bias": self._bias if self._fresh else 0.0,
            "fitted": self._fresh,
            "labels": "".join("s" if spam else "h" for _, spam in self._examples),
            "grams": len(names),
        }
        weights = struct.pack(f"<{len(names)}f", *(self._weights[g] for g in names))
        body = _SEP.join([*names, *texts]).encode("utf-8", "surrogatepass")
        blob = json.dumps(header).encode() + b"\n" + struct.pack("<I", len(body)) + body + weights
        return zlib.compress(blob, 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> NgramModel:
        """Rebuild a model from ``to_bytes`` output; ValueError if it is not one."""
        try:
            blob = zlib.decompress(data)
            line, _, rest = blob.partition(b"\n")
            header = json.loads(line)
        except (zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"not a serialised n-gram model: {exc}") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError("not a serialised n-gram model: wrong format marker")
        if header.get("version") != VERSION:
            raise ValueError(f"unsupported n-gram model version {header.get('version')!r}")
        try:
            (size,) = struct.unpack_from("<I", rest)
            body = rest[4 : 4 + size].decode("utf-8", "surrogatepass")
            count = int(header["grams"])
            weights = struct.unpack_from(f"<{count}f", rest, 4 + size)
            labels = str(header["labels"])
            parts = body.split(_SEP) if body else []
            if len(parts) != count + len(labels):
                raise ValueError("section sizes disagree")
            model = cls(
                c=float(header["c"]),
                max_examples=int(header["max_examples"]),
                max_features=int(header["max_features"]),
                limit=int(header["limit"]),
            )
        except (KeyError, TypeError, struct.error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"corrupt n-gram model: {exc}") from exc
        model._examples.extend(zip(parts[count:], (ch == "s" for ch in labels), strict=True))
        model._spam = labels.count("s")
        model._weights = dict(zip(parts[:count], weights, strict=True))
        model._bias = float(header["bias"])
        model._fresh = bool(header["fitted"])
        return model
