"""Hashed features of one message for the n-gram model: character n-grams plus a few shapes.

Three kinds of feature share the ``2**BITS`` hashed buckets:

- the character 1–3-grams of the folded text (``normalize``: disguises undone, so 薇 / ｖ / 𝕧
  meet); Chinese needs no segmentation, Han bigrams and trigrams carry most of the signal;
- the Unicode blocks (128 code points each) of the *raw* characters: folding erases
  the disguise itself (runes, mathematical letters, full-width digits, combining strokes),
  and that a message bothered to disguise itself is a signal the folded n-grams cannot see;
- structural shapes of the folded text: the length of every digit run (phone numbers, QQ ids),
  a link, an @handle and the length class of the message.

Keys are packed code points (exact, so orders cannot meet) or tagged ids above 2**63 that no
packed n-gram reaches, then Fibonacci-hashed by plain integer arithmetic: the same in every
process and on every platform (no salted ``hash``). Repeats are kept; the model weighs counts.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import numpy.typing as npt

from policies.normalize import normalize, scanned

BITS = 20
_W = np.uint64(21)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BITS)
_BLOCK = np.uint32(7)
_BLOCK_TAG = 1 << 63
_SHAPE_TAG = (1 << 63) | (1 << 62)

Buckets = npt.NDArray[np.uint64]
Hashed = npt.NDArray[np.intp]

# Shape ids: kind * 64 + value.
_DIGITS, _LINK, _HANDLE, _LENGTH = range(4)
_DIGIT_RUN = re.compile(r"\d+")
_DOMAIN = re.compile(
    r"\.(?:com|net|org|cn|top|xyz|cc|me|io|vip|app|club|site|shop|ru|tk|ly|gg|co|tv|info|"
    r"link|live)\b"
)
_HANDLE_RE = re.compile(r"@[a-z0-9_]{4,}")
_NONE: Hashed = np.empty(0, dtype=np.intp)
#: log(1 + count) for the counts a message of the default limit can have (one look-up).
_LOG1P = np.log1p(np.arange(4200, dtype=np.float64))


Records = npt.NDArray[np.uint64]
#: Texts of fewer buckets than this are scored by counting in place: a bucket seen ``c`` times
#: adds ``log(1 + c) / c`` to the dot product (and ``log(1 + c)² / c`` to the norm) at each
#: sighting.
_COUNTABLE = 8192
_ONE = np.uint64(1)
_WEIGHT_BITS = np.uint64(0xFFFFFFFF << 32)
_COUNT_BITS = np.intp(0xFFFFFFFF)
#: Where the count and the weight of a record are once it is viewed as two 32-bit halves.
_COUNT_HALF = 0 if sys.byteorder == "little" else 1
_WEIGHT_HALF = 1 - _COUNT_HALF


def _shares() -> npt.NDArray[np.float64]:
    """By count c: the share of the dot product, and of the norm *divided by* the count's
    bits read as a float32 (c · 2**-149, exact), so that one product of a message's records
    viewed as float32 pairs gives both sums at once."""
    sightings = np.maximum(np.arange(_COUNTABLE, dtype=np.float64), 1.0)
    share = np.log1p(sightings) / sightings
    shares = np.empty((_COUNTABLE, 2))
    shares[:, _WEIGHT_HALF] = share
    shares[:, _COUNT_HALF] = np.ldexp(np.log1p(sightings) * share, 149) / sightings
    return shares


_SHARES = _shares()


def _bucket(key: int) -> int:
    """The Fibonacci hash of a 64-bit key: its bucket."""
    return (key * int(_GOLDEN) & (1 << 64) - 1) >> int(_SHIFT)


#: The bucket of each Unicode block and of each shape id, hashed once.
_BLOCK_BUCKETS = np.array([_bucket(_BLOCK_TAG | b) for b in range(0x110000 >> 7)], dtype=np.intp)
_SHAPE_BUCKETS = [_bucket(_SHAPE_TAG | shape) for shape in range(4 * 64)]


def _points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _shapes(folded: str) -> list[int]:
    shapes = [_DIGITS * 64 + min(len(run), 16) for run in _DIGIT_RUN.findall(folded)]
    if "://" in folded or "www." in folded or ("." in folded and _DOMAIN.search(folded)):
        shapes.append(_LINK * 64)
    if "@" in folded and _HANDLE_RE.search(folded):
        shapes.append(_HANDLE * 64)
    shapes.append(_LENGTH * 64 + min(len(folded).bit_length(), 12))
    return shapes


def _hashed(text: str, limit: int) -> Hashed:
    """The buckets of ``buckets`` (same order) as ``intp``, ready to index with."""
    raw = scanned(text)
    folded = normalize(raw)[:limit]
    n = len(folded)
    if not n:
        return _NONE
    head = raw[:limit]
    points = _points(folded)
    blocks = points if head == folded else _points(head)
    shapes = _shapes(folded)
    grams = 3 * n - 3 if n > 1 else 1  # n 1-grams, n - 1 bigrams, n - 2 trigrams
    # The hash is linear: (a << 21 | b) · φ = (a · φ << 21) + b · φ (mod 2**64), so the
    # n-grams are packed from the hashed points, and one shift finishes every kind.
    products = np.empty(grams, dtype=np.uint64)
    keys = np.empty(grams + blocks.size + len(shapes), dtype=np.intp)
    ones, twos = products[:n], products[n : 2 * n - 1]
    np.multiply(points, _GOLDEN, out=ones)
    np.left_shift(ones[:-1], _W, out=twos)
    twos += ones[1:]
    threes = products[2 * n - 1 :]
    np.left_shift(twos[:-1], _W, out=threes)
    threes += ones[2:]
    np.right_shift(products, _SHIFT, out=keys[:grams])
    np.take(_BLOCK_BUCKETS, blocks >> _BLOCK, out=keys[grams : grams + blocks.size])
    keys[grams + blocks.size :] = [_SHAPE_BUCKETS[shape] for shape in shapes]
    return keys


def buckets(text: str, *, limit: int = 1000) -> Buckets:
    """Hashed features of the first ``limit`` characters of ``scanned(text)`` (repeats kept).

    The fold is of ``scanned(text)``, the same string every content policy folds, so the
    cached result is shared. A block is counted once for each raw character in it: 1–3-grams
    of the folded text, then the blocks of the raw text, then the shapes.
    """
    return _hashed(text, limit).view(np.uint64)


def counted(keys: Buckets) -> tuple[Buckets, npt.NDArray[np.float64]]:
    """Distinct buckets and log(1 + count) of each (not yet scaled)."""
    ordered = np.sort(keys)
    first = np.empty(ordered.size + 1, dtype=bool)
    first[0] = first[-1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:-1])
    starts = np.flatnonzero(first)  # where each run of one bucket starts, then the end
    counts = starts[1:] - starts[:-1]
    if ordered.size < _LOG1P.size:
        return ordered[starts[:-1]], _LOG1P[counts]
    return ordered[starts[:-1]], np.log1p(counts)


def weighted(keys: Buckets) -> tuple[Buckets, npt.NDArray[np.float64]]:
    """Distinct buckets and their values: log(1 + count), scaled to unit length."""
    unique, values = counted(keys)
    values /= np.sqrt(values @ values)
    return unique, values


def records(table: npt.NDArray[np.float32]) -> Records:
    """One uint64 per bucket: the float32 weight in the high half, a count (zero) in the low.

    The weight and the count of a bucket share one cache line, so scoring a message touches
    one line per bucket where a weight table and a separate count array would touch two.
    """
    return table.view(np.uint32).astype(np.uint64) << np.uint64(32)


def _weights(found: Records) -> npt.NDArray[np.float32]:
    return found.view(np.uint32)[_WEIGHT_HALF::2].view(np.float32)


def score(text: str, table: Records, *, limit: int, count: bool) -> tuple[float, float] | None:
    """``(w · v, v · v)`` for v the log(1 + count) of each bucket of ``buckets(text)``.

    ``table`` is ``records`` of the weights w; None when the text has no features. With
    ``count`` (only ever in one thread at a time: the counts are written into ``table``, and
    are zero again on return) the buckets are counted in place, else sorted as ``counted`` does.
    Same sums in another order.
    """
    keys = _hashed(text, limit)
    if not keys.size:
        return None
    if not count or keys.size >= _COUNTABLE:
        unique, values = counted(keys.view(np.uint64))
        return float(_weights(table[unique]) @ values), float(values @ values)
    np.add.at(table, keys, _ONE)
    found = table[keys]
    # Per sighting: [count as float32, weight] · [norm share / that float, dot share].
    sums = found.view(np.float32).reshape(-1, 2).T @ _SHARES.take(
        found.view(np.intp) & _COUNT_BITS, axis=0
    )
    found &= _WEIGHT_BITS
    table[keys] = found
    square = float(sums[_COUNT_HALF, _COUNT_HALF])
    if not square > 0.0:  # a library set denormals-are-zero: count by sorting instead
        return score(text, table, limit=limit, count=False)
    return float(sums[_WEIGHT_HALF, _WEIGHT_HALF]), square
