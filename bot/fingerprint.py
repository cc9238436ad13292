"""Near-duplicate fingerprints of long texts: a one-permutation MinHash and its band index.

A text is sketched by *one-permutation MinHash* over its character 4-grams: every 4-gram is
hashed once (a polynomial over its code points, then a 64-bit mixer, vectorised with numpy),
the hash's top 4 bits choose one of 16 bins and each bin keeps the smallest 32-bit value that
falls in it. Two texts share a bin's minimum with probability equal to their 4-gram Jaccard
similarity, so the share of equal bins estimates it: a syllabus re-posted with another date or
price keeps most bins, two different questions share almost none. Why this and not a simhash:
one hash per shingle (not 64 weighted bit sums), a similarity that reads as "share of 4-grams",
and bins that line up position by position, so the 8 bands of 2 bins index a window of posts (a
near-duplicate shares a whole band with a probability of 1 - (1 - J²)⁸: 0.9 at J = 0.5, 0.998
at J = 0.7) and a look-up reads only the posts sharing a band, never the whole window.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from operator import eq
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")

BINS = 16
BANDS = 8
SHINGLE = 4
EMPTY = 0xFFFFFFFF
_PACK = struct.Struct(f"<{BINS}I")

_P = np.uint64(0x100000001B3)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_BIN_STARTS = np.arange(BINS, dtype=np.uint64) << np.uint64(32)
_S30, _S27, _S31, _S28 = (np.uint64(n) for n in (30, 27, 31, 28))
_LOW32 = np.uint64(EMPTY)


def sketch(core: str, *, limit: int = 2000) -> bytes:
    """The 16-bin one-permutation MinHash of ``core``'s character 4-grams (64 bytes).

    ``core`` is the folded text without whitespace or punctuation; only its first ``limit``
    characters are read. A bin no 4-gram fell in holds ``EMPTY``.
    """
    points = np.frombuffer(core[:limit].encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(points) - SHINGLE + 1
    if n <= 0:
        return _PACK.pack(*([EMPTY] * BINS))
    with np.errstate(over="ignore"):
        h = points[:n].copy()
        for j in range(1, SHINGLE):
            h = h * _P + points[j:j + n]
        h ^= h >> _S30  # splitmix64's finaliser: every input bit moves every output bit
        h *= _M1
        h ^= h >> _S27
        h *= _M2
        h ^= h >> _S31
    keys = np.sort(h >> _S28)  # bin in the top 4 of 36 bits, value in the low 32
    at = np.searchsorted(keys, _BIN_STARTS)
    found = at < len(keys)
    first = keys[np.minimum(at, len(keys) - 1)]
    hit = found & ((first >> np.uint64(32)) == np.arange(BINS, dtype=np.uint64))
    values = np.where(hit, first & _LOW32, _LOW32).astype("<u4")
    return values.tobytes()


def unpack(sketched: bytes) -> tuple[int, ...]:
    """A sketch's 16 bin values."""
    return _PACK.unpack(sketched)


def bands(bins: Sequence[int]) -> list[int]:
    """The index keys of a sketch: one per band of two bins, both filled."""
    return [(b << 64) | (bins[2 * b] << 32) | bins[2 * b + 1] for b in range(BANDS)
            if bins[2 * b] != EMPTY and bins[2 * b + 1] != EMPTY]


def similar(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many filled bins two sketches share."""
    same = int(sum(map(eq, a, b)))
    if EMPTY in a:  # rare for a long text: bins both left empty are no agreement
        same -= sum(1 for x, y in zip(a, b, strict=True) if x == y == EMPTY)
    return same


def agreements(bins: Sequence[int], sketches: Iterable[bytes]) -> list[int]:
    """``similar`` of ``bins`` and each of many sketches, in one vectorised comparison."""
    table = np.frombuffer(b"".join(sketches), dtype="<u4")
    query = np.asarray(bins, dtype="<u4")
    counts: list[int] = ((table.reshape(-1, BINS) == query) & (query != EMPTY)).sum(
        axis=1).tolist()
    return counts


class BandIndex(Generic[T]):
    """Items by the band keys of their sketches, oldest first; items should compare by
    identity (``eq=False``), and removing one needs the keys it was added with."""

    __slots__ = ("_holders",)

    def __init__(self) -> None:
        self._holders: dict[int, list[T]] = {}

    def add(self, item: T, keys: Iterable[int]) -> None:
        for key in keys:
            self._holders.setdefault(key, []).append(item)

    def discard(self, item: T, keys: Iterable[int]) -> None:
        for key in keys:
            holders = self._holders.get(key)
            if holders is None:
                continue
            try:
                holders.remove(item)
            except ValueError:
                continue
            if not holders:
                del self._holders[key]

    def newest(self, keys: Iterable[int], most: int) -> Iterator[T]:
        """The items sharing a band with ``keys``: per band the newest ``most``, newest first
        (a band may hold the same item as another)."""
        for key in keys:
            holders = self._holders.get(key)
            if holders:
                yield from holders[:-most - 1:-1]
