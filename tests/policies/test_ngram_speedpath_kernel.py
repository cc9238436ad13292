"""The kernel's own digit runs, blocks and shapes count exactly the buckets numpy hashes."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest

from policies.ngram_features import BITS, buckets, counted
from policies.ngram_kernel import DECIMAL, score

TEXTS = [
    "call ٣٤٥ or ０１２３ or 1234567890123456789 now",  # Nd digits beyond ASCII, a long run
    "see www.example.com and x.com/a, @someone_here",
    "a.comb is no link; 12 a 3",
    "𝕧𝕚𝕡 🎉🎉🎉 ᚠᚢᚦ 𠀀𠀁",
    "9",
]


def one_hot_sums(text: str, limit: int) -> tuple[float, float] | None:
    """Both sums with a random weight for every bucket, from the sorted numpy buckets."""
    found = buckets(text, limit=limit)
    if not found.size:
        return None
    unique, values = counted(found)
    return float(WEIGHTS[unique] @ values), float(values @ values)


WEIGHTS = np.random.default_rng(3).standard_normal(1 << BITS).astype(np.float32)


def random_texts() -> list[str]:
    rng = random.Random(11)
    points = [c for c in range(0x20, 0x110000, 13) if not 0xD800 <= c < 0xE000]
    return ["".join(chr(rng.choice(points)) for _ in range(rng.randint(0, 300)))
            for _ in range(200)]


@pytest.mark.parametrize("limit", [1, 10, 1000])
def test_the_kernel_sums_every_bucket_numpy_finds(limit: int) -> None:
    for text in TEXTS + random_texts():
        expected = one_hot_sums(text, limit)
        got = score(text, WEIGHTS, limit=limit)
        if expected is None:
            assert got is None
            continue
        assert got is not None
        assert got[0] == pytest.approx(expected[0], rel=1e-12, abs=1e-9)
        assert got[1] == pytest.approx(expected[1], rel=1e-12)
        assert math.isfinite(got[0])


def test_the_decimal_table_is_what_backslash_d_matches() -> None:
    rng = random.Random(5)
    for code in [*range(0x0, 0x3000), *(rng.randrange(0x110000) for _ in range(20000))]:
        assert bool(DECIMAL[code]) == bool(re.fullmatch(r"\d", chr(code)))


def test_a_table_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError):
        score("text", np.zeros(1024, dtype=np.float32), limit=100)
