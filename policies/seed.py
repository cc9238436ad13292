"""The seed model: n-gram weights shipped with the package so the classifier judges on day one.

A seed is what a fitted ``NgramModel`` keeps for scoring and nothing else: sorted bucket ids,
float32 weights, the bias and the Platt calibration, plus a prior shift (below). It holds no
text, so a model trained on corpora whose lines may not be redistributed still ships as
numbers. The file format is versioned and plain (no pickle): the magic line ``QGSEED``, one JSON
header line, then the little-endian ``uint32`` ids and ``float32`` weights, all zlib-compressed.

``prior_shift`` is added to the calibrated log odds: the training data holds far more spam than
a group's real traffic, so the calibrated probability is moved to a rarer-spam prior (and the
shipped value is chosen for precision; ``policies/data/seed.md`` says how).

The builtin seed is ``policies/data/seed.bin`` (``tools/train_seed.py`` makes it); a labelled
TSV given as ``classifier.seed`` is trained at start. Both are loaded once per process.
"""

from __future__ import annotations

import json
import math
import threading
import zlib
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from policies.ngram_features import BITS, Buckets
from policies.ngram_kernel import score

__all__ = ["BUILTIN", "SEED_SCOPE", "SeedModel", "load_seed"]

MAGIC = b"QGSEED\n"
FORMAT = "qunguan-seed"
VERSION = 1
BUILTIN = Path(__file__).with_name("data") / "seed.bin"
#: The scope name reported when the seed, not a chat's model, judged a message.
SEED_SCOPE = "seed"


class SeedModel:
    """Fixed n-gram weights with their calibration: scores, never learns."""

    def __init__(
        self,
        keys: npt.NDArray[np.uint32],
        weights: npt.NDArray[np.float32],
        bias: float,
        calibration: tuple[float, float],
        *,
        prior_shift: float = 0.0,
        limit: int = 1000,
        info: dict[str, object] | None = None,
    ) -> None:
        if keys.shape != weights.shape:
            raise ValueError("seed ids and weights differ in length")
        self.keys = keys.astype(np.uint32)
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.calibration = (float(calibration[0]), float(calibration[1]))
        self.prior_shift = float(prior_shift)
        self.limit = limit
        self.info = dict(info or {})
        self.table = np.zeros(1 << BITS, dtype=np.float32)
        self.table[self.keys] = self.weights

    # -- the linear form, for combining with a chat's model ---------------------------------

    @property
    def slope(self) -> float:
        """Log odds = ``slope`` · (the raw n-gram sum) + ``intercept``."""
        return self.calibration[0]

    @property
    def intercept(self) -> float:
        slope, intercept = self.calibration
        return slope * self.bias + intercept + self.prior_shift

    @cached_property
    def digest(self) -> str:
        """Identifies these weights (a chat model fitted on top of them records it)."""
        return f"{zlib.crc32(self.to_bytes()):08x}"

    # -- scoring ----------------------------------------------------------------------------

    def log_odds(self, text: str, *, limit: int | None = None, refit: bool = True) -> float:
        """Log odds that ``text`` is spam (``refit`` is accepted for the model interface)."""
        sums = score(text, self.table, limit=min(limit or self.limit, self.limit))
        if sums is None:
            return self.intercept
        total, square = sums
        return self.slope * total / math.sqrt(square) + self.intercept

    def spam_probability(self, text: str, *, limit: int | None = None,
                         refit: bool = True) -> float:
        """Probability in [0, 1] that ``text`` is spam."""
        odds = self.log_odds(text, limit=limit)
        if odds >= 0:
            return 1.0 / (1.0 + math.exp(-min(odds, 700.0)))
        exp = math.exp(max(odds, -700.0))
        return exp / (1.0 + exp)

    def log_odds_rows(self, rows: Sequence[Buckets]) -> npt.NDArray[np.float64]:
        """Log odds of many messages given their buckets (for fitting a model on top)."""
        from policies.ngram_fit import design

        if not rows:
            return np.empty(0)
        sums = design(rows, 1 << BITS) @ self.table.astype(np.float64)
        return self.slope * np.asarray(sums, dtype=np.float64) + self.intercept

    # -- making one -------------------------------------------------------------------------

    @classmethod
    def train(cls, rows: Iterable[tuple[bool, str]], *, prior_shift: float = 0.0,
              info: dict[str, object] | None = None) -> SeedModel:
        """Fit an n-gram model on ``(spam, text)`` rows and keep only its weights."""
        from policies.ngram import NgramModel

        listed = list(rows)
        model = NgramModel(max_examples=max(len(listed), 1))
        model.learn_many(listed)
        model.fit()
        keys, weights, bias, calibration = model.weights()
        if not keys.size:
            raise ValueError("a seed needs examples of both spam and ham")
        spam = sum(spam for spam, _ in listed)
        facts: dict[str, object] = {"rows": len(listed), "spam": spam}
        facts.update(info or {})
        return cls(keys, weights, bias, calibration, prior_shift=prior_shift,
                   limit=model.limit, info=facts)

    # -- persistence ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "bits": BITS,
            "bias": self.bias,
            "calibration": list(self.calibration),
            "prior_shift": self.prior_shift,
            "limit": self.limit,
            "weights": int(self.keys.size),
            "info": self.info,
        }
        body = (json.dumps(header, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                + self.keys.astype("<u4").tobytes() + self.weights.astype("<f4").tobytes())
        return MAGIC + zlib.compress(body, 9)

    @classmethod
    def from_bytes(cls, data: bytes) -> SeedModel:
        """Rebuild a seed from ``to_bytes`` output; ValueError if it is not one."""
        if not data.startswith(MAGIC):
            raise ValueError("not a qunguan seed model: wrong magic")
        try:
            line, rest = zlib.decompress(data[len(MAGIC):]).split(b"\n", 1)
            header = json.loads(line)
            if header.get("format") != FORMAT or header.get("version") != VERSION:
                raise ValueError(f"unsupported seed version {header.get('version')!r}")
            if header.get("bits") != BITS:
                raise ValueError(f"seed hashed into 2**{header.get('bits')} buckets, not 2**{BITS}")
            count = int(header["weights"])
            if len(rest) != 8 * count:
                raise ValueError("section sizes disagree")
            keys = np.frombuffer(rest, "<u4", count).astype(np.uint32)
            weights = np.frombuffer(rest, "<f4", count, 4 * count).astype(np.float32)
            if count and int(keys.max()) >> BITS:
                raise ValueError("bucket id out of range")
            slope, intercept = header["calibration"]
            return cls(keys, weights, float(header["bias"]), (float(slope), float(intercept)),
                       prior_shift=float(header.get("prior_shift", 0.0)),
                       limit=int(header["limit"]), info=dict(header.get("info") or {}))
        except (zlib.error, KeyError, TypeError, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"corrupt seed model: {exc}") from exc

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> SeedModel:
        return cls.from_bytes(Path(path).read_bytes())


_CACHE: dict[tuple[str, float], SeedModel] = {}
_LOCK = threading.Lock()


def load_seed(spec: str) -> SeedModel | None:
    """``"builtin"``, ``"none"`` or the path of a labelled TSV to train at start (cached)."""
    if spec == "none":
        return None
    path = BUILTIN if spec == "builtin" else Path(spec)
    key = (str(path.resolve()), path.stat().st_mtime)
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            if spec == "builtin":
                found = SeedModel.load(path)
            else:
                from policies.labelled import read_tsv

                found = SeedModel.train(read_tsv(path), info={"source": str(path)})
            _CACHE[key] = found
        return found
