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

import numpy as np
import numpy.typing as npt

from policies.normalize import normalize, scanned

BITS = 20
_W = np.uint64(21)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BITS)
_BLOCK = np.uint32(7)
_BLOCK_TAG = np.uint64(1 << 63)
_SHAPE_TAG = (1 << 63) | (1 << 62)

Buckets = npt.NDArray[np.uint64]

# Shape ids: kind * 64 + value.
_DIGITS, _LINK, _HANDLE, _LENGTH = range(4)
_DIGIT_RUN = re.compile(r"\d+")
_DOMAIN = re.compile(
    r"\.(?:com|net|org|cn|top|xyz|cc|me|io|vip|app|club|site|shop|ru|tk|ly|gg|co|tv|info|"
    r"link|live)\b"
)
_HANDLE_RE = re.compile(r"@[a-z0-9_]{4,}")
_EMPTY: Buckets = np.empty(0, dtype=np.uint64)
#: log(1 + count) for the counts a message of the default limit can have (one look-up).
_LOG1P = np.log1p(np.arange(4200, dtype=np.float64))


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


def buckets(text: str, *, limit: int = 1000) -> Buckets:
    """Hashed features of the first ``limit`` characters of ``scanned(text)`` (repeats kept).

    The fold is of ``scanned(text)``, the same string every content policy folds, so the
    cached result is shared. A block is counted once for each raw character in it. Every kind
    is written straight into its slice of one array, then all are hashed in place.
    """
    raw = scanned(text)
    folded = normalize(raw)[:limit]
    if not folded:
        return _EMPTY
    n = len(folded)
    blocks = _points(raw[:limit])
    shapes = _shapes(folded)
    keys = np.empty(n + (n - 1) + max(n - 2, 0) + blocks.size + len(shapes), dtype=np.uint64)
    # Code points fit in 21 bits: packing 1, 2 or 3 of them is exact and orders cannot meet.
    points, bigrams = keys[:n], keys[n : 2 * n - 1]
    trigrams = keys[2 * n - 1 : 2 * n - 1 + max(n - 2, 0)]
    points[:] = _points(folded)
    np.left_shift(points[:-1], _W, out=bigrams)
    bigrams |= points[1:]
    np.left_shift(bigrams[:-1], _W, out=trigrams)
    trigrams |= points[2:]
    tail = keys[2 * n - 1 + trigrams.size :]
    np.right_shift(blocks, _BLOCK, out=tail[: blocks.size])
    tail[: blocks.size] |= _BLOCK_TAG
    tail[blocks.size :] = shapes
    tail[blocks.size :] |= np.uint64(_SHAPE_TAG)
    keys *= _GOLDEN
    keys >>= _SHIFT
    return keys


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
