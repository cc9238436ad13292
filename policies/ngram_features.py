"""Hashed features of one message for the n-gram model: character n-grams plus a few shapes.

Three kinds of feature share the ``2**BITS`` hashed buckets:

- the character 1–3-grams of the folded text (``normalize``: disguises undone, so 薇 / ｖ / 𝕧
  meet); Chinese needs no segmentation, Han bigrams and trigrams carry most of the signal;
- the Unicode blocks (128 code points each) the *raw* text uses, once each: folding erases
  the disguise itself (runes, mathematical letters, full-width digits, combining strokes),
  and that a message bothered to disguise itself is a signal the folded n-grams cannot see;
- structural shapes of the folded text: the length of every digit run (phone numbers, QQ ids),
  a link, an @handle, the length class of the message and its longest repeated character.

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
_BLOCK = np.uint64(7)
_BLOCK_TAG = np.uint64(1 << 63)
_SHAPE_TAG = (1 << 63) | (1 << 62)

Buckets = npt.NDArray[np.uint64]

# Shape ids: kind * 64 + value.
_DIGITS, _LINK, _HANDLE, _LENGTH, _REPEAT = range(5)
_DIGIT_RUN = re.compile(r"\d+")
_LINK_RE = re.compile(
    r"https?://|www\.|[a-z0-9-]\.(?:com|net|org|cn|top|xyz|cc|me|io|vip|app|club|site|shop|"
    r"ru|tk|ly|gg|co|tv|info|link|live)\b"
)
_HANDLE_RE = re.compile(r"@[a-z0-9_]{4,}")
_EMPTY: Buckets = np.empty(0, dtype=np.uint64)


def _points(text: str) -> Buckets:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _shapes(folded: str, points: Buckets) -> list[int]:
    shapes = [_DIGITS * 64 + min(len(run), 16) for run in _DIGIT_RUN.findall(folded)]
    if _LINK_RE.search(folded):
        shapes.append(_LINK * 64)
    if _HANDLE_RE.search(folded):
        shapes.append(_HANDLE * 64)
    shapes.append(_LENGTH * 64 + min(len(folded).bit_length(), 12))
    if points.size > 1:
        # The longest run of one repeated character, from the positions where the text changes.
        edges = np.flatnonzero(points[1:] != points[:-1])
        bounds = np.concatenate(([-1], edges, [points.size - 1]))
        longest = int(np.diff(bounds).max())
    else:
        longest = 1
    shapes.append(_REPEAT * 64 + min(longest, 8))
    return shapes


def buckets(text: str, *, limit: int = 1000) -> Buckets:
    """Hashed features of the first ``limit`` characters of ``scanned(text)`` (repeats kept).

    The fold is of ``scanned(text)``, the same string every content policy folds, so the
    cached result is shared.
    """
    raw = scanned(text)
    folded = normalize(raw)[:limit]
    if not folded:
        return _EMPTY
    points = _points(folded)
    # Code points fit in 21 bits: packing 1, 2 or 3 of them is exact and orders cannot meet.
    bigrams = (points[:-1] << _W) | points[1:]
    blocks = np.unique(_points(raw[:limit]) >> _BLOCK) | _BLOCK_TAG
    shapes = np.array(_shapes(folded, points), dtype=np.uint64) | np.uint64(_SHAPE_TAG)
    keys = np.concatenate((points, bigrams, (bigrams[:-1] << _W) | points[2:], blocks, shapes))
    keys *= _GOLDEN
    keys >>= _SHIFT
    return keys


def weighted(keys: Buckets) -> tuple[Buckets, npt.NDArray[np.float64]]:
    """Distinct buckets and their values: log(1 + count), scaled to unit length."""
    unique, counts = np.unique(keys, return_counts=True)
    values = np.log1p(counts.astype(np.float64))
    values /= np.sqrt(values @ values)
    return unique, values
