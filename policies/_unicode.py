"""Character classes and a cheap NFKC for text folding (``policies.normalize``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["ASTRAL", "astral_chars", "char_class", "nfkc", "nfkc_tables", "split_class"]

ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def char_class(codepoints: Iterable[int]) -> str:
    """A regex character class of ``codepoints``, written as ranges."""
    points = sorted(codepoints)
    parts: list[str] = []
    start = prev = points[0]
    for cp in [*points[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\U{start:08x}" + (f"-\\U{prev:08x}" if prev != start else ""))
        start = prev = cp
    return "[" + "".join(parts) + "]"


def split_class(codepoints: Iterable[int]) -> tuple[re.Pattern[str], frozenset[str]]:
    """A pattern for the BMP members of ``codepoints`` (one character), and the astral members.

    A class mixing astral ranges is tested range by range at every position; the BMP part
    alone is a table look-up ``re`` scans with fast. Astral members are looked up among the few
    distinct astral characters a text holds (``astral_chars``).
    """
    points = set(codepoints)
    bmp = char_class(cp for cp in points if cp < 0x10000)
    return re.compile(bmp), frozenset(chr(cp) for cp in points if cp >= 0x10000)


def astral_chars(text: str) -> set[str]:
    """The distinct characters outside the BMP in ``text`` (emoji, mathematical letters…)."""
    return set(ASTRAL.findall(text))


@lru_cache(maxsize=1)
def nfkc_tables() -> tuple[re.Pattern[str], frozenset[str], frozenset[str]]:
    """Built on first use from this Python's Unicode: runs of BMP characters not stable under
    NFKC (changed by it, combining marks, characters composing with the one before them), the
    astral characters NFKC changes, and the astral characters that are unstable otherwise or
    become so (whose text takes the whole-string path)."""
    changed: set[int] = set()
    unstable = {*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)}  # Hangul vowels and finals
    for cp in range(0xA0, 0x30000):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        if not unicodedata.is_normalized("NFKC", char):
            changed.add(cp)
        elif unicodedata.combining(char):
            unstable.add(cp)
        parts = unicodedata.decomposition(char).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            unstable.add(int(parts[1], 16))  # the second of a canonical pair composes back
    marks = {chr(cp) for cp in unstable - changed if cp >= 0x10000}
    astral_changed = {chr(cp) for cp in changed if cp >= 0x10000}
    unsafe = marks | {ch for ch in astral_changed if marks & set(unicodedata.normalize("NFKC", ch))}
    bmp_unstable = char_class(cp for cp in unstable | changed if cp < 0x10000)
    return re.compile(f"{bmp_unstable}+"), frozenset(astral_changed), frozenset(unsafe)


def nfkc(text: str, astral: bool = True) -> str:
    """``unicodedata.normalize("NFKC", text)``, cheaply (``astral``: whether it may hold
    characters outside the BMP).

    Whole-string NFKC costs ~0.1 µs a character as soon as one character needs it, several
    times that with combining marks (and so does ``unicodedata.is_normalized``). A character
    outside the unstable runs never changes, never composes with the one before it and is never
    reordered, so each run is normalised apart, together with the character before it. Astral
    characters NFKC changes are folded first, one by one; astral combining marks (rare) take
    the whole-string path.
    """
    unstable, astral_changed, astral_unsafe = nfkc_tables()
    if astral and (found := astral_chars(text)):
        if not found.isdisjoint(astral_unsafe):
            return unicodedata.normalize("NFKC", text)
        for char in found & astral_changed:
            text = text.replace(char, unicodedata.normalize("NFKC", char))
    parts: list[str] = []
    done = 0
    for run in unstable.finditer(text):
        start = max(run.start() - 1, done)
        parts += (text[done:start], unicodedata.normalize("NFKC", text[start : run.end()]))
        done = run.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)
