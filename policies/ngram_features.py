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


def _bucket(key: int) -> int:
    """The Fibonacci hash of a 64-bit key: its bucket."""
    return (key * int(_GOLDEN) & (1 << 64) - 1) >> int(_SHIFT)


#: The bucket of each Unicode block and of each shape id, hashed once.
_BLOCK_BUCKETS = np.array([_bucket(_BLOCK_TAG | b) for b in range(0x110000 >> 7)], dtype=np.intp)
_SHAPE_BUCKETS = [_bucket(_SHAPE_TAG | shape) for shape in range(4 * 64)]


def points(text: str) -> npt.NDArray[np.uint32]:
    """The code points of ``text`` (read-only, no copy of the encoding).

    UTF-32 with its byte-order mark is in the machine's order, and CPython encodes it by a
    fast path (~0.15 µs for 200 Han characters, against ~0.3 µs for ``utf-32-le`` through
    the codec registry); the mark is sliced off. A lone surrogate raises as before.
    """
    try:
        encoded = text.encode("utf-32")
    except UnicodeEncodeError:
        text.encode("utf-32-le")  # the error of the explicit little-endian encoding
        raise
    return np.frombuffer(encoded, dtype=np.uint32)[1:]


def head_and_folded(text: str, limit: int) -> tuple[str, str]:
    """The first ``limit`` characters of ``scanned(text)`` and of its fold: the features' input."""
    raw = scanned(text)
    return raw[:limit], normalize(raw)[:limit]


def marks(folded: str) -> int:
    """1 if the folded text holds a link, | 2 if an @handle (``_LINK``, ``_HANDLE`` shapes)."""
    link = "://" in folded or "www." in folded or ("." in folded and _DOMAIN.search(folded))
    handle = "@" in folded and _HANDLE_RE.search(folded) is not None
    return int(bool(link)) | int(handle) << 1


def _shapes(folded: str) -> list[int]:
    shapes = [_DIGITS * 64 + min(len(run), 16) for run in _DIGIT_RUN.findall(folded)]
    found = marks(folded)
    shapes += [kind * 64 for kind in (_LINK, _HANDLE) if found & kind]
    shapes.append(_LENGTH * 64 + min(len(folded).bit_length(), 12))
    return shapes


def _hashed(text: str, limit: int) -> Hashed:
    """The buckets of ``buckets`` (same order) as ``intp``, ready to index with."""
    head, folded = head_and_folded(text, limit)
    n = len(folded)
    if not n:
        return _NONE
    codes = points(folded)
    blocks = codes if head == folded else points(head)
    shapes = _shapes(folded)
    grams = 3 * n - 3 if n > 1 else 1  # n 1-grams, n - 1 bigrams, n - 2 trigrams
    # The hash is linear: (a << 21 | b) · φ = (a · φ << 21) + b · φ (mod 2**64), so the
    # n-grams are packed from the hashed points, and one shift finishes every kind.
    products = np.empty(grams, dtype=np.uint64)
    keys = np.empty(grams + blocks.size + len(shapes), dtype=np.intp)
    ones, twos = products[:n], products[n : 2 * n - 1]
    np.multiply(codes, _GOLDEN, out=ones)
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
