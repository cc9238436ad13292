"""The n-gram model's scoring as one compiled pass: code points in, the two sums out.

Why it exists: hashing a message's n-grams, blocks and digit runs, counting repeated buckets and
summing ``w · log(1 + c)`` and ``log(1 + c)²`` takes about fifteen numpy calls, and each call
costs microseconds whatever its size, so numpy bottoms out near 35 µs for a 200-character
message. numba compiles the same arithmetic (``policies.ngram_features``: Fibonacci hashing with
uint64 wraparound, keys packed from hashed points) into one loop over the characters, with a
small open-addressing table of the message's own buckets for the counts. The buckets are the
ones ``ngram_features.buckets`` gives, so fitting keeps the numpy path; only scoring runs here.

Compiled at import for its one signature (``cache=True``: later processes load it from disk).
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

from policies.ngram_features import (
    _BLOCK_TAG,
    _DIGITS,
    _GOLDEN,
    _LENGTH,
    _SHAPE_TAG,
    _SHIFT,
    _W,
    BITS,
    head_and_folded,
    marks,
    points,
)

__all__ = ["DECIMAL", "score"]

Points = npt.NDArray[np.uint32]
Weights = npt.NDArray[np.float32]

_BLOCK_KEY = np.uint64(_BLOCK_TAG)
_SHAPE_KEY = np.uint64(_SHAPE_TAG)
_SEVEN = np.uint64(7)
#: log(1 + count) for the counts of a message of the default limit: math.log1p costs ~20 ns.
_LOG1P = np.log1p(np.arange(4200, dtype=np.float64))


def _decimal() -> npt.NDArray[np.uint8]:
    """1 for each code point ``\\d`` matches (read from ``re`` itself, so the runs agree)."""
    import re

    everything = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(0x110000, dtype=np.uint8)
    table[[match.start() for match in re.finditer(r"\d", everything)]] = 1
    table.flags.writeable = False
    return table


#: By code point: a decimal digit (Unicode Nd, as ``\d`` reads it).
DECIMAL = _decimal()
#: Han ideographs (U+3400 to U+9FFF): no digit among them, so the 1.1 MB table is not read.
_HAN_FIRST, _HAN_LAST = 0x3400, 0x9FFF
assert not DECIMAL[_HAN_FIRST : _HAN_LAST + 1].any()
assert DECIMAL[:0x80].nonzero()[0].tolist() == list(range(0x30, 0x3A))


def _add_py(slots: npt.NDArray[np.int32], counts: npt.NDArray[np.int32],
            order: npt.NDArray[np.int64], distinct: int, bucket: np.uint64, times: int = 1) -> int:
    """Count ``bucket`` ``times`` (linear probing, ``slots`` hold bucket + 1); new distinct."""
    key = np.int32(bucket) + np.int32(1)
    mask = slots.size - 1
    slot = np.int64(bucket) & mask
    while True:
        held = slots[slot]
        if held == key:
            counts[slot] += times
            return distinct
        if held == 0:
            slots[slot] = key
            counts[slot] = times
            order[distinct] = slot
            return distinct + 1
        slot = (slot + 1) & mask


_add = numba.njit(inline="always")(_add_py)


def _shape_py(shape: int) -> np.uint64:
    """The bucket of a shape id (``ngram_features._SHAPE_BUCKETS``)."""
    return ((_SHAPE_KEY | np.uint64(shape)) * _GOLDEN) >> _SHIFT


_shape = numba.njit(inline="always")(_shape_py)


def _block_py(block: np.uint64) -> np.uint64:
    """The bucket of a Unicode block (``ngram_features._BLOCK_BUCKETS``)."""
    return ((_BLOCK_KEY | block) * _GOLDEN) >> _SHIFT


_block = numba.njit(inline="always")(_block_py)


def _sums_py(folded: Points, raw: Points, decimal: npt.NDArray[np.uint8], flags: int,
             weights: Weights) -> tuple[float, float]:
    """``(Σ w[k]·log1p(c_k), Σ log1p(c_k)²)`` over the distinct buckets k of the features."""
    n = folded.size
    most = 3 * n + raw.size + n // 2 + 4  # n-grams, blocks, digit runs, three shapes
    size = 16
    while size < 2 * most:
        size <<= 1
    slots = np.zeros(size, dtype=np.int32)
    counts = np.zeros(size, dtype=np.int32)
    order = np.empty(most, dtype=np.int64)
    distinct = 0
    one = two = np.uint64(0)
    run = 0
    for i in range(n):
        point = folded[i]
        previous, one = one, np.uint64(point) * _GOLDEN
        distinct = _add(slots, counts, order, distinct, one >> _SHIFT)
        if i:
            earlier, two = two, (previous << _W) + one
            distinct = _add(slots, counts, order, distinct, two >> _SHIFT)
            if i > 1:
                three = (earlier << _W) + one
                distinct = _add(slots, counts, order, distinct, three >> _SHIFT)
        if point < 0x80:
            digit = 0x30 <= point <= 0x39
        elif _HAN_FIRST <= point <= _HAN_LAST:
            digit = False
        else:
            digit = decimal[point] != 0
        if digit:
            run += 1
        elif run:
            distinct = _add(slots, counts, order, distinct, _shape(_DIGITS * 64 + min(run, 16)))
            run = 0
    if run:
        distinct = _add(slots, counts, order, distinct, _shape(_DIGITS * 64 + min(run, 16)))
    block, times = np.uint64(0), 0  # a run of characters in one block is counted at once
    for i in range(raw.size):
        here = np.uint64(raw[i]) >> _SEVEN
        if times and here != block:
            distinct = _add(slots, counts, order, distinct, _block(block), times)
            times = 0
        block, times = here, times + 1
    if times:
        distinct = _add(slots, counts, order, distinct, _block(block), times)
    for kind in range(1, 3):  # link, handle
        if flags & kind:
            distinct = _add(slots, counts, order, distinct, _shape(kind * 64))
    bits = 0
    while n >> bits:
        bits += 1
    distinct = _add(slots, counts, order, distinct, _shape(_LENGTH * 64 + min(bits, 12)))
    # The weights first, in a loop of loads only: the misses in the 4 MiB table (cold when
    # other policies ran since) overlap, instead of queueing behind the summing.
    weight = np.empty(distinct, dtype=np.float32)
    for j in range(distinct):
        weight[j] = weights[slots[order[j]] - 1]
    dot = square = 0.0
    for j in range(distinct):
        count = counts[order[j]]
        value = _LOG1P[count] if count < _LOG1P.size else math.log1p(count)
        dot += np.float64(weight[j]) * value
        square += value * value
    return dot, square


_POINTS = "Array(uint32, 1, 'C', readonly=True)"
_SIGNATURE = (f"UniTuple(float64, 2)({_POINTS}, {_POINTS}, "
              "Array(uint8, 1, 'C', readonly=True), int64, Array(float32, 1, 'C'))")
_sums = numba.njit(_SIGNATURE, cache=True, nogil=True)(_sums_py)


def score(text: str, weights: Weights, *, limit: int) -> tuple[float, float] | None:
    """``(w · v, v · v)`` for v the log(1 + count) of each bucket of ``buckets(text, limit)``.

    ``weights`` holds a float32 weight for each of the ``2**BITS`` buckets; None when the text
    has no features. Pure: any thread may score with the same table at once.
    """
    if weights.size != 1 << BITS or weights.dtype != np.float32:
        raise ValueError("weights must be 2**BITS float32 values")
    head, folded = head_and_folded(text, limit)
    if not folded:
        return None
    codes = points(folded)
    raw = codes if head == folded else points(head)
    dot, square = _sums(codes, raw, DECIMAL, marks(folded), weights)
    return float(dot), float(square)
