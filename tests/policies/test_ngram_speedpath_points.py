"""``points`` reads code points from UTF-32 with its byte-order mark: same as little-endian."""

from __future__ import annotations

import random

import numpy as np
import pytest

from policies.ngram_features import points


def texts() -> list[str]:
    rng = random.Random(11)
    found = ["", "a", "今天天气不错", "😂 x", "\x00\uffff\U0010ffff", "\ufeff BOM first"]
    for _ in range(2000):
        codes = [rng.choice((rng.randint(0, 0x7F), rng.randint(0x80, 0xD7FF),
                             rng.randint(0xE000, 0x10FFFF))) for _ in range(rng.randint(0, 60))]
        found.append("".join(map(chr, codes)))
    return found


def test_points_are_the_little_endian_code_points() -> None:
    for text in texts():
        got = points(text)
        assert got.dtype == np.uint32 and got.flags.c_contiguous and not got.flags.writeable
        assert got.tolist() == [ord(ch) for ch in text]
        assert np.array_equal(got, np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))


def test_a_lone_surrogate_raises_the_little_endian_error() -> None:
    with pytest.raises(UnicodeEncodeError, match="utf-32-le"):
        points("a\ud800b")
