"""A character n-gram logistic-regression spam model, retrained from bounded labelled examples.

Features (``policies.ngram_features``) are the character 1–3-grams of the normalised text, the
Unicode blocks of the raw text and a few structural shapes (digit runs, links, handles,
length, repeats), hashed into ``2**BITS`` buckets; each message weighs log(1 + count) of its
buckets, scaled to unit length. Fitting hashes in numpy; scoring is one compiled pass
(``policies.ngram_kernel``, numba), about ten microseconds for 200 characters. (4-grams and
n-grams of the raw, undisguised text were measured too: no better at equal precision on the
development corpora, and twice the cost.)

Training is L2 logistic regression (scikit-learn's liblinear, balanced class weights) over the
most recent ``max_examples`` labelled messages, cross-fitted and Platt-calibrated by
``policies.ngram_fit``, refitted lazily on the first prediction after a ``learn``/``forget``.
Only the ``max_features`` largest weights are kept, as sorted bucket ids and float32 weights.

With a seed (``policies.seed``: fixed weights shipped with the package) as its prior, the
seed's log odds are one more feature whose weight is fitted with the n-grams, so a chat's
lessons both correct the seed on their texts and decide how far to trust it. The fitted seed
part is linear too, so it is folded into the dense weight table and the bias: scoring still
reads one table in one pass.

Persistence is a JSON header line, the examples as UTF-8 text, then the bucket ids and weights
as little-endian arrays, all compressed with zlib (never pickle): ``to_bytes``/``from_bytes``.
A model saved by the previous version keeps its examples and is fitted again.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from policies.ngram_features import BITS, buckets
from policies.ngram_kernel import score

if TYPE_CHECKING:
    from policies.seed import SeedModel

__all__ = ["BITS", "NgramModel", "buckets"]

FORMAT = "qunguan-ngram"
VERSION = 4
#: Saved models of these versions keep their examples but must be fitted again.
_REFIT_VERSIONS = frozenset({3})
_SEP = "\x00"

Keys = npt.NDArray[np.uint32]


class NgramModel:
    """Logistic regression over binary hashed character n-grams, spam vs ham."""

    def __init__(
        self,
        *,
        c: float = 30.0,
        max_examples: int = 20_000,
        max_features: int = 100_000,
        limit: int = 1000,
    ) -> None:
        self.c = c
        self.max_examples = max_examples
        self.max_features = max_features
        self.limit = limit
        self._examples: deque[tuple[str, bool]] = deque(maxlen=max_examples)
        self._spam = 0  # spam examples among ``_examples``
        self._keys: Keys = np.empty(0, dtype=np.uint32)
        self._weights = np.empty(0, dtype=np.float32)
        #: The weight of every bucket (zero where none is kept), built on first use.
        self._table: npt.NDArray[np.float32] | None = None
        self._bias = 0.0
        self._calibration = (1.0, 0.0)  # P(spam) = σ(a·score + b)
        self._prior: SeedModel | None = None
        self._prior_digest = ""  # the seed the weights were fitted on ("" = none)
        self._prior_weight = 0.0  # the fitted weight of the seed's log odds
        self._shift = 0.0  # that weight times the seed's intercept, added to the bias
        self._fresh = True  # weights match the examples
        self._version = 0  # bumped by every change of the examples

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
        self._version += 1

    def labelled(self) -> Iterable[tuple[str, bool]]:
        """The examples, oldest first, as ``(text, spam)``."""
        return iter(self._examples)

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
                self._version += 1
                return

    # -- fitting ----------------------------------------------------------------------------

    @property
    def fresh(self) -> bool:
        """The weights reflect every example."""
        return self._fresh

    @property
    def has_weights(self) -> bool:
        """Some fit (perhaps of older examples) is available for scoring."""
        return bool(self._keys.size)

    @property
    def version(self) -> int:
        return self._version

    @property
    def prior(self) -> SeedModel | None:
        return self._prior

    def set_prior(self, seed: SeedModel | None) -> None:
        """Fit on top of ``seed`` from now on; weights fitted on another seed are dropped."""
        self._prior = seed
        if (seed.digest if seed is not None else "") != self._prior_digest:
            self._drop_fit()
        else:
            self._table = None  # rebuilt with the seed's part on the next score

    def _drop_fit(self) -> None:
        self._keys, self._weights = np.empty(0, np.uint32), np.empty(0, np.float32)
        self._bias, self._table, self._calibration = 0.0, None, (1.0, 0.0)
        self._prior_digest, self._prior_weight, self._shift = "", 0.0, 0.0
        self._fresh = False

    def clone(self) -> NgramModel:
        """An unfitted copy of the examples, to be fitted off the event loop."""
        copy = NgramModel(c=self.c, max_examples=self.max_examples,
                          max_features=self.max_features, limit=self.limit)
        copy._examples.extend(self._examples)
        copy._spam = self._spam
        copy._prior = self._prior
        copy._fresh = False
        return copy

    def adopt(self, fitted: NgramModel, version: int) -> None:
        """Take the weights of ``fitted`` (a clone made at ``version``) in one step."""
        self._keys, self._weights = fitted._keys, fitted._weights
        self._bias, self._table = fitted._bias, fitted._table
        self._calibration = fitted._calibration
        self._prior_digest, self._prior_weight = fitted._prior_digest, fitted._prior_weight
        self._shift = fitted._shift
        self._fresh = self._version == version and fitted._prior is self._prior

    def shift_prior(self, delta: float) -> None:
        """Add ``delta`` to the calibrated log odds of the current fit: a class prior shift
        (Saerens et al., 2002), e.g. ln(odds judged) - ln(odds learnt) when the examples hold
        another spam share than the texts to judge. The next fit calibrates afresh."""
        slope, intercept = self._calibration
        self._calibration = (slope, intercept + delta)

    def weights(self) -> tuple[Keys, npt.NDArray[np.float32], float, tuple[float, float]]:
        """The fitted bucket ids, weights, bias and calibration (without any seed part)."""
        return self._keys, self._weights, self._bias, self._calibration

    def fit(self) -> None:
        """Refit the weights to the current examples (no-op when they are already fitted)."""
        if self._fresh:
            return
        self._fresh = True
        labels = [spam for _, spam in self._examples]
        if all(labels) or not any(labels):
            self._drop_fit()
            self._fresh = True
            return
        from policies.ngram_fit import fit_weights

        texts = [text for text, _ in self._examples]
        rows = [buckets(text, limit=self.limit) for text in texts]
        prior = self._prior
        offsets = prior.log_odds_rows(rows) if prior is not None else None
        self._keys, self._weights, self._bias, self._calibration, weight = fit_weights(
            rows, labels, width=1 << BITS, c=self.c, keep=self.max_features, texts=texts,
            prior=offsets,
        )
        self._prior_digest = prior.digest if prior is not None else ""
        self._prior_weight = weight
        self._shift = weight * prior.intercept if prior is not None else 0.0
        self._table = self._dense()  # here, in the fitting thread, not on the first score

    # -- prediction -------------------------------------------------------------------------

    def log_odds(self, text: str, *, limit: int | None = None, refit: bool = True) -> float:
        """Calibrated log odds that ``text`` is spam (0.0 = undecided, e.g. before both classes).

        ``limit`` caps the normalised characters read (at most the model's own ``limit``);
        ``refit=False`` scores with the weights at hand, however old (the bot refits in a
        worker thread, never on the event loop once a fit exists).
        """
        if self._prior_digest and self._prior is None:  # loaded, but its seed was not given
            self._drop_fit()
        if refit or not self._keys.size:
            self.fit()
        if not self._keys.size:
            return 0.0
        if self._table is None:  # after a load
            self._table = self._dense()
        sums = score(text, self._table, limit=min(limit or self.limit, self.limit))
        slope, intercept = self._calibration
        if sums is None:
            return slope * (self._bias + self._shift) + intercept
        total, square = sums  # unit length is one division of the sum
        return slope * (self._bias + self._shift + total / math.sqrt(square)) + intercept

    def _dense(self) -> npt.NDArray[np.float32]:
        """The weight of every bucket (4 MiB at 2**20 buckets), for scoring."""
        table = np.zeros(1 << BITS, dtype=np.float32)
        table[self._keys] = self._weights
        if self._prior is not None and self._prior_weight:
            table += np.float32(self._prior_weight * self._prior.slope) * self._prior.table
        return table

    def spam_probability(self, text: str, *, limit: int | None = None,
                         refit: bool = True) -> float:
        """Probability in [0, 1] that ``text`` is spam; 0.5 before both classes are seen."""
        odds = self.log_odds(text, limit=limit, refit=refit)
        if odds >= 0:
            return 1.0 / (1.0 + math.exp(-min(odds, 700.0)))
        exp = math.exp(max(odds, -700.0))
        return exp / (1.0 + exp)

    # -- persistence ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """zlib(JSON header line + examples as text + uint32 bucket ids + float32 weights)."""
        fresh = self._fresh
        keys = self._keys if fresh else np.empty(0, np.uint32)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "bits": BITS,
            "c": self.c,
            "max_examples": self.max_examples,
            "max_features": self.max_features,
            "limit": self.limit,
            "bias": self._bias if fresh else 0.0,
            "calibration": list(self._calibration) if fresh else [1.0, 0.0],
            "prior": self._prior_digest if fresh else "",
            "prior_weight": self._prior_weight if fresh else 0.0,
            "shift": self._shift if fresh else 0.0,
            "fitted": fresh,
            "labels": "".join("s" if spam else "h" for _, spam in self._examples),
            "weights": int(keys.size),
        }
        body = _SEP.join(text for text, _ in self._examples).encode("utf-8", "surrogatepass")
        arrays = keys.astype("<u4").tobytes()
        arrays += (self._weights if fresh else np.empty(0)).astype("<f4").tobytes()
        blob = b"\n".join([json.dumps(header).encode(), str(len(body)).encode(), body + arrays])
        return zlib.compress(blob, 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> NgramModel:
        """Rebuild a model from ``to_bytes`` output; ValueError if it is not one."""
        try:
            line, size, rest = zlib.decompress(data).split(b"\n", 2)
            header = json.loads(line)
        except (zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"not a serialised n-gram model: {exc}") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError("not a serialised n-gram model: wrong format marker")
        version = header.get("version")
        if (version != VERSION and version not in _REFIT_VERSIONS) or header.get("bits") != BITS:
            raise ValueError(f"unsupported n-gram model version {header.get('version')!r}")
        try:
            length, count = int(size), int(header["weights"])
            texts = rest[:length].decode("utf-8", "surrogatepass").split(_SEP) if length else []
            labels = str(header["labels"])
            keys = np.frombuffer(rest, "<u4", count, length).astype(np.uint32)
            weights = np.frombuffer(rest, "<f4", count, length + 4 * count).astype(np.float32)
            if len(texts) != len(labels) or len(rest) != length + 8 * count:
                raise ValueError("section sizes disagree")
            model = cls(
                c=float(header["c"]),
                max_examples=int(header["max_examples"]),
                max_features=int(header["max_features"]),
                limit=int(header["limit"]),
            )
        except (KeyError, TypeError, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"corrupt n-gram model: {exc}") from exc
        model._examples.extend(zip(texts, (ch == "s" for ch in labels), strict=True))
        model._spam = labels.count("s")
        model._fresh = False
        if version != VERSION:  # older features and weighting: keep the examples, fit again
            return model
        model._keys, model._weights = keys, weights
        model._bias = float(header["bias"])
        slope, intercept = header.get("calibration", (1.0, 0.0))
        model._calibration = (float(slope), float(intercept))
        model._prior_digest = str(header.get("prior", ""))
        model._prior_weight = float(header.get("prior_weight", 0.0))
        model._shift = float(header.get("shift", 0.0))
        model._fresh = bool(header["fitted"])
        return model
