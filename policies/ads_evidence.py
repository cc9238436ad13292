"""An ads finding's evidence: the original text behind a folded match; was it disguised?"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from policies.ads_contacts import DISGUISED_KEYWORD

__all__ = ["disguised", "original_evidence"]

_SPREAD_DIGITS = re.compile(r"[0-9][^0-9a-z]{1,4}(?=[0-9])")


@lru_cache(maxsize=4096)
def disguised(evidence: str, folded_match: str) -> bool:
    """Whether the original ``evidence`` of a contact was written to dodge matching."""
    if DISGUISED_KEYWORD.search(folded_match):
        return True
    if len(_ASCII_ALNUM.findall(folded_match)) > len(_ASCII_ALNUM.findall(evidence)):
        return True  # digits or letters came from full-width, math, circled or Han numerals
    for match in _NOT_ASCII_OR_HAN.finditer(evidence):
        if not unicodedata.category(match.group()).startswith(("P", "Z")):
            return True  # runes, emoji, look-alikes, combining marks inside the contact
    return len(_SPREAD_DIGITS.findall(evidence.lower())) >= 6  # 1-3-9-1-2-3-4…


#: The ASCII characters ``str.isalnum`` accepts.
_ASCII_ALNUM = re.compile("[0-9A-Za-z]")
_NOT_ASCII_OR_HAN = re.compile("[^\x00-\x7f\u3400-\u9fff]")


#: What ``str.isalnum`` accepts: word characters but the underscore.
_CORE_CHAR = re.compile(r"[^\W_]")
#: Long messages are searched for evidence only around where the folded match sits.
_WINDOW = 300


def original_evidence(original: str, folded_match: str, folded: str = "") -> str:
    """The original substring behind a folded match when it can be found, else the match.

    Each original character is folded on its own (NFKC, lower case) while remembering where it
    came from; the match's letters and digits are then searched with small gaps allowed. In a
    long message (``folded`` given) only a window around the match's folded position is
    searched: folding rarely moves text by more than a few characters. The whole message is
    folded once (and cached) however many windows are searched in it.
    """
    if not folded_match:
        return ""
    low, high = 0, len(original)
    if len(original) > 2 * _WINDOW and (at := folded.find(folded_match)) >= 0:
        low = min(max(0, at - _WINDOW), high)  # folding may lengthen: ``at`` can lie past the end
        high = min(high, at + len(folded_match) + _WINDOW)
    joined, offsets, odd = _folded_chars(original)
    # Where the window sits in ``joined``; "even": each of its characters folds to one.
    j_low, j_high = (low, high) if offsets is None else (offsets[low], offsets[high])
    even = bisect_left(odd, low) == bisect_left(odd, high)
    if even and (start := joined.find(folded_match, j_low, j_high)) >= 0:
        start += low - j_low
        return original[start : start + len(folded_match)]
    core = _CORE_CHAR.findall(folded_match)[:40]
    if not core:
        return folded_match
    found = _gapped(core, joined, j_low, j_high)
    if found is None:
        return folded_match
    begin, end = found
    if even or offsets is None:
        return original[begin + low - j_low : end + low - j_low]
    first = bisect_right(offsets, begin) - 1
    last = bisect_right(offsets, end - 1) - 1
    return original[first : last + 1]


def _gapped(core: list[str], text: str, low: int, high: int) -> tuple[int, int] | None:
    """The first span of ``text[low:high]`` spelling ``core`` (word characters) in order with
    up to six non-word characters between them, as ``re`` would find ``a\\W{0,6}b…``.

    No backtracking is ever needed (a gap character can never be the next core character), so
    a direct scan does what a compiled pattern would, without compiling one per evidence.
    """
    head, rest = core[0], core[1:]
    start = text.find(head, low, high)
    while start >= 0:
        at = start + 1
        for char in rest:
            if at < high and text[at] == char:  # no gap (the usual case)
                at += 1
                continue
            gap_end = min(at + 6, high)
            while at < gap_end and not (text[at].isalnum() or text[at] == "_"):
                at += 1
            if at >= high or text[at] != char:
                break
            at += 1
        else:
            return start, at
        start = text.find(head, start + 1, high)
    return None


@lru_cache(maxsize=64)
def _folded_chars(original: str) -> tuple[str, list[int] | None, list[int]]:
    """Each character folded alone, joined; where each one starts (None: one to one); and the
    positions of the characters folding to other than one character."""
    if original.isascii():
        return original.lower(), None, []
    scan = _fold_scan()
    if scan.common is None:
        joined = scan.bmp_changed.sub(_fold_match, original)
        bmp_odd = True
    elif scan.by_char:  # each distinct non-ASCII changed one replaced, then lower case
        found = set(scan.non_ascii_changed.findall(original))
        joined = original
        fold_of = scan.fold_of
        for char in found:
            joined = joined.replace(char, fold_of[char])
        joined = joined.lower()
        bmp_odd = not scan.uneven_chars.isdisjoint(found)  # uneven ones are among them
    else:  # the frequent ones replaced, the other non-ASCII ones one by one, then lower case
        joined = original
        for char, folded in scan.common:
            if char in joined:
                joined = joined.replace(char, folded)
        joined = scan.rare_changed.sub(_fold_match, joined).lower()
        bmp_odd = True
    odd = [m.start() for m in scan.bmp_uneven.finditer(original)] if bmp_odd else []
    if astral := set(_ASTRAL.findall(original)):
        # Each distinct astral character replaced by its fold: folds never hold an astral
        # character that folds again (checked when the tables are built, and here for those
        # past the tables), so this is what one substitution pass would do. The astral
        # characters of ``joined`` are those of the original, lower-cased when the BMP pass
        # lowered the text (no BMP character lower-cases or folds to one that folds again).
        folds: set[tuple[str, str]] = set()
        again = uneven = False
        for char in astral:
            pairs, char_again, char_uneven = _astral_fold(char, scan.common is not None)
            folds.update(pairs)
            again |= char_again
            uneven |= char_uneven
        if again:
            joined = _ASTRAL.sub(_fold_match, joined)  # past the tables: one pass, to be exact
        else:
            for char, folded in folds:
                joined = joined.replace(char, folded)
        if uneven:
            far = [m.start() for m in _ASTRAL.finditer(original) if len(_fold_char(m.group())) != 1]
            odd = sorted(odd + far)
    if not odd:
        return joined, None, []
    offsets: list[int] = []
    shift = previous = 0
    for i in odd:
        offsets.extend(range(previous + shift, i + shift + 1))
        shift += len(_fold_char(original[i])) - 1
        previous = i + 1
    offsets.extend(range(previous + shift, len(original) + shift + 1))
    return joined, offsets, odd


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    """One character under NFKC and lower case."""
    return unicodedata.normalize("NFKC", char).lower()


@lru_cache(maxsize=4096)
def _astral_fold(char: str, lowered: bool) -> tuple[tuple[tuple[str, str], ...], bool, bool]:
    """What an astral character of the original brings to the astral pass: the folds of the
    astral characters it became in ``joined`` (``lowered``: after ``str.lower``), whether one
    of those folds holds an astral character that folds again, and whether it is uneven."""
    became = char.lower() if lowered else char
    pairs = tuple(
        (c, folded)
        for c in dict.fromkeys(became)
        if _ASTRAL.match(c) and (folded := _fold_char(c)) != c
    )
    again = any(_fold_char(c) != c for _, folded in pairs for c in _ASTRAL.findall(folded))
    return pairs, again, len(_fold_char(char)) != 1


def _fold_match(match: re.Match[str]) -> str:
    return _fold_char(match.group())


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
#: Changed characters frequent in chat, replaced with ``str.replace`` rather than one by one.
_COMMON_CHANGED = "，：！？；（）～\u3000"
#: Code points below this are sorted into the scan classes up front; the rest are astral and
#: judged one by one when met (so the classes stay small).
_TABLE_END = 0x30000


@dataclass(frozen=True, slots=True)
class _FoldScan:
    """Patterns finding the characters that per-character folding changes or makes uneven."""

    bmp_changed: re.Pattern[str]
    #: When lower-casing the whole text agrees with the per-character fold everywhere else:
    #: the frequent changed characters (full-width punctuation) and their folds; the non-ASCII
    #: changed characters otherwise. ASCII capitals then need no call of their own.
    common: tuple[tuple[str, str], ...] | None
    rare_changed: re.Pattern[str]
    #: The non-ASCII changed characters of the BMP (with ``common``: when ``str.lower`` does
    #: the rest), none folding to text holding a changed character (so replacing each distinct
    #: one in turn equals one substitution pass) and every uneven one among them.
    #: Left out: those NFKC keeps and ``str.lower`` alone folds to one character (П, Ω), other
    #: than Σ (whose lower case depends on what follows it).
    non_ascii_changed: re.Pattern[str]
    by_char: bool
    #: The folds of the characters ``non_ascii_changed`` finds.
    fold_of: dict[str, str]
    bmp_uneven: re.Pattern[str]
    #: The BMP characters folding to other than one character.
    uneven_chars: frozenset[str]


@lru_cache(maxsize=1)
def _fold_scan() -> _FoldScan:
    """Built on first use (~0.1 s) from this Python's Unicode tables.

    The BMP pass runs first; folding a BMP character may give an astral one (CJK
    compatibility ideographs), which the astral pass then leaves alone because such characters
    fold to themselves (checked here: otherwise the astral pass would fold them twice).
    """
    changed: list[int] = []
    uneven: list[int] = []
    lower_ok = True  # ``str.lower`` after folding the non-ASCII characters equals the fold
    for cp in range(_TABLE_END):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        folded = _fold_char(char)
        if folded != char:
            changed.append(cp)
            if any(_ASTRAL.match(ch) and _fold_char(ch) != ch for ch in folded):
                raise RuntimeError(f"U+{cp:04X} folds to a character that folds again")
            if cp < 0x10000:
                lower_ok &= folded.lower() == folded and (cp >= 0x80 or char.lower() == folded)
            else:  # lowered before the astral pass folds what is left
                lowered = "".join(
                    _fold_char(ch) if _ASTRAL.match(ch) else ch for ch in char.lower()
                )
                lower_ok &= lowered == folded
        else:
            lower_ok &= char.lower() == char
        if len(folded) != 1:
            uneven.append(cp)
        if cp < 0x10000 and any(_ASTRAL.match(ch) for ch in char.lower()):
            raise RuntimeError(f"U+{cp:04X} lower-cases to an astral character")

    def bmp(points: list[int]) -> re.Pattern[str]:
        return re.compile("[" + "".join(f"\\U{cp:08x}" for cp in points if cp < 0x10000) + "]")

    bmp_changed = bmp(changed)
    bmp_uneven = bmp(uneven)
    common = tuple((ch, _fold_char(ch)) for ch in _COMMON_CHANGED if ord(ch) in changed)
    rare = [cp for cp in changed if cp >= 0x80 and chr(cp) not in _COMMON_CHANGED]
    rare_changed = bmp(rare)
    changed_set = set(changed)
    non_ascii = [cp for cp in changed if 0x80 <= cp < 0x10000]
    by_char = all(
        ord(c) not in changed_set for cp in non_ascii for c in _fold_char(chr(cp))
    ) and all(cp >= 0x80 for cp in uneven)
    replaced = [cp for cp in non_ascii if not _lower_only(chr(cp))]
    return _FoldScan(
        bmp_changed,
        common if lower_ok else None,
        rare_changed,
        bmp(replaced),
        by_char,
        {chr(cp): _fold_char(chr(cp)) for cp in replaced},
        bmp_uneven,
        frozenset(chr(cp) for cp in uneven if cp < 0x10000),
    )


def _lower_only(char: str) -> bool:
    """Whether ``str.lower`` of any text folds ``char`` as ``_fold_char`` does, to one character."""
    folded = _fold_char(char)
    return unicodedata.normalize("NFKC", char) == char and len(folded) == 1 and char != "\u03a3"
