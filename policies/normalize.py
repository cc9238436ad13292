"""Fold a message into a matching copy that undoes the usual ways spammers disguise contacts.

``normalize(text)`` is what every content policy matches against; the original text stays the
evidence. The steps, in order:

1. NFKC: full-width forms, mathematical alphanumerics (𝕊𝕂𝔼), circled and parenthesised
   letters and digits (ⓐ ①), superscripts → plain characters.
2. Look-alike letters: inside one whitespace-separated token, Cyrillic/Greek letters with a
   Latin twin are folded to Latin when the token is mostly Latin or mixes letters with digits
   or Han ("VХ123", "加вх"); a mostly-Cyrillic token with stray Latin twins is folded the other
   way ("пpивeт" → "привет"); a pure Cyrillic or Greek word is left alone.
3. Lower case; then invisible characters (zero-width, bidi, tags), decoration (runes, ogham,
   box drawing, block shading ░, braille, Hangul fillers, strike-through combining marks,
   variation selectors) are removed and the forms NFKC keeps (🅰, ❶, small capitals) folded.
4. Traditional → simplified Chinese (OpenCC ``t2s``), only when a traditional character occurs.
5. Chinese numerals → digits, only inside a numeral run: at least 5 numerals/digits, or at
   least 3 when the run also holds an ASCII digit or a formal/radio numeral (壹 贰, 幺 洞 拐 勾).
   Runs may be broken by up to 4 separators. So ``加我一三五七九二四六八`` becomes digits while
   ``一起``, ``三三两两`` and ``两三个`` stay words.
6. Separators between digits (spaces, punctuation, emoji: up to 4 in a row) are removed,
   spaces between two Han characters are removed, other whitespace runs become one space.

The function is idempotent (``normalize(normalize(x)) == normalize(x)``), total on any string,
and memoised with a bounded cache because several policies fold the same message. Content
policies fold ``scanned(text)``, the first ``SCAN_LIMIT`` (1,500) characters, so a long paste
costs each of them no more than that and they share one cached fold.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from policies._fold_tables import (
    CYR_GREEK_TO_LATIN,
    EXTRA_FOLD,
    LATIN_TO_CYRILLIC,
    MARKED_NUMERALS,
    NUMERALS,
    REMOVED,
)

__all__ = ["SCAN_LIMIT", "fingerprint", "fold_digits", "normalize", "scanned"]

#: Content policies read only this many leading characters of a message: spam signals
#: (contacts, links, promotions, insults) sit at the start, and a 4,000-character paste must
#: not cost milliseconds in every policy. Every policy slicing the same way also lets them share
#: one cached ``normalize`` of the slice.
SCAN_LIMIT = 1500


def scanned(text: str) -> str:
    """The part of a message content policies read: its first ``SCAN_LIMIT`` characters."""
    return text if len(text) <= SCAN_LIMIT else text[:SCAN_LIMIT]


def _char_class(codepoints: Iterable[int]) -> str:
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


def _split_class(codepoints: Iterable[int]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for the BMP and the astral members of ``codepoints``, one character each.

    A class mixing astral ranges is tested range by range at every position; the BMP part
    alone is a table look-up ``re`` scans with fast, and the astral pattern starts with one
    plain range (a fast scan too) before its look-behind tests the ranges.
    """
    points = set(codepoints)
    bmp = _char_class(cp for cp in points if cp < 0x10000)
    astral = _char_class(cp for cp in points if cp >= 0x10000)
    return re.compile(bmp), re.compile(f"[\U00010000-\U0010ffff](?<={astral})")


_REMOVE_BMP, _REMOVE_ASTRAL = _split_class(REMOVED)
_EXTRA_BMP, _EXTRA_ASTRAL = _split_class(EXTRA_FOLD)
_DECOR_BMP, _DECOR_ASTRAL = _split_class(REMOVED | set(EXTRA_FOLD))
#: Removed characters that can sit inside a look-alike token (Cyrillic combining marks).
_CG_MARK = re.compile(_char_class(cp for cp in REMOVED if 0x370 <= cp <= 0x52F))
#: NFKC-equivalent replacements cheap enough to do before deciding on the slow path.
_COMMON_WIDE = (
    ("，", ","),
    ("！", "!"),
    ("？", "?"),
    ("：", ":"),
    ("；", ";"),
    ("（", "("),
    ("）", ")"),
    ("\u3000", " "),
    ("～", "~"),
)
#: Anything outside ASCII, the CJK punctuation NFKC keeps, and the main Han block.
_UNUSUAL = re.compile("[^\x00-\x7f\u3001-\u3035\u3037\u303b-\u303f\u4e00-\u9fff]")
_CYR_GREEK = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_ALNUM = "0-9A-Za-z\u0370-\u052f"
_CG = "\u0370-\u052f"
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Any token mixing scripts has two neighbouring characters of different kinds.
#: Written to start with the Cyrillic/Greek class so that ``re`` skips fast to those letters.
_SCRIPT_MIX = re.compile(
    f"[{_CG}](?:(?<=[0-9A-Za-z{_HAN_CLASS}][{_CG}])|(?=[0-9A-Za-z{_HAN_CLASS}]))"
)
_PURE_WORD = re.compile(f"[{_CG}]+")
#: A token holding Cyrillic/Greek: its Latin/digit prefix is taken possessively, so a plain
#: Latin token fails at once instead of backtracking through itself.
_MIXED_TOKEN = re.compile(f"(?<![{_ALNUM}])[0-9A-Za-z]*+[{_CG}][{_ALNUM}]*")
_SEP = r"[\W_]{0,4}"
_NUM_CLASS = "0-9" + "".join(NUMERALS)
_NUMERAL_RUN = re.compile(f"[{_NUM_CLASS}](?:{_SEP}[{_NUM_CLASS}]){{2,}}")
_NUMERAL_CHARS = frozenset(NUMERALS)
_NUMERAL_CHAR = re.compile(f"[{''.join(NUMERALS)}]")
_MARKED = frozenset(MARKED_NUMERALS) | frozenset("0123456789")
_NUMERAL_TABLE = str.maketrans(NUMERALS)
#: Separators between two digits. A look-behind (not a captured digit put back) lets ``sub``
#: replace with a plain "" instead of expanding a template for every match.
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[\W_]{1,4}(?=[0-9])")
_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Starts with the literal space (so ``re`` scans for it fast), then looks back past it.
_BETWEEN_HAN = re.compile(f" (?<=[{_HAN}] )(?=[{_HAN}])")
_PUNCT_OR_SPACE = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"[0-9]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _compat_chars() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every character NFKC changes on its own (built on first use from this Python's Unicode)."""
    changed = [
        cp
        for cp in range(0xA0, 0x30000)
        if not 0xD800 <= cp < 0xE000 and not unicodedata.is_normalized("NFKC", chr(cp))
    ]
    bmp = _char_class(cp for cp in changed if cp < 0x10000)
    astral = _char_class(cp for cp in changed if cp >= 0x10000)
    # A class mixing astral ranges is tested range by range for every character; the BMP part
    # alone compiles to a table look-up that ``re`` scans with fast, and the astral pattern
    # starts with one plain range (a fast scan too) before the look-behind tests the ranges.
    return re.compile(f"{bmp}+"), re.compile(f"[\U00010000-\U0010ffff](?<={astral})")


def _nfkc_char(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, cheaply.

    Whole-string NFKC costs ~0.1 µs a character as soon as one character needs it. Folding
    only the runs of characters NFKC changes gives a string with the same NFKC form; when that
    string is already normalised (no combining marks or jamo left to compose), it *is* the
    answer.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    bmp, astral = _compat_chars()
    folded = bmp.sub(_nfkc_char, text)
    if _ASTRAL.search(folded):
        folded = astral.sub(_nfkc_char, folded)
    if unicodedata.is_normalized("NFKC", folded):
        return folded
    return unicodedata.normalize("NFKC", folded)


class _Simplifier:
    """OpenCC ``t2s`` (phrase-aware), built on first use, run only on text holding Han and at
    least one character that ``t2s`` changes (every phrase it rewrites holds one of them)."""

    #: Where the characters ``t2s`` changes live (checked against every code point).
    _RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x30000))

    def __init__(self) -> None:
        self._converter: Any = None
        self._changed: tuple[re.Pattern[str], re.Pattern[str]] | None = None

    def _build(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        import opencc

        self._converter = opencc.OpenCC("t2s")
        points = [cp for low, high in self._RANGES for cp in range(low, high)]
        # One call: a line break is in no phrase, so each character converts on its own.
        out = self._converter.convert("\n".join(map(chr, points))).split("\n")
        self._changed = _split_class(cp for cp, o in zip(points, out, strict=True) if o != chr(cp))
        return self._changed

    def __call__(self, text: str) -> str:
        if not _HAN_CHAR.search(text):
            return text
        bmp, astral = self._changed or self._build()
        if not bmp.search(text) and not (_ASTRAL.search(text) and astral.search(text)):
            return text
        result: str = self._converter.convert(text)
        return result


_simplify = _Simplifier()


def _fold_token(match: re.Match[str]) -> str:
    token = match.group().lower()  # the twin tables are complete in lower case
    whole = match.string
    start, end = match.span()
    beside_han = bool((start and _HAN_CHAR.match(whole, start - 1)) or _HAN_CHAR.match(whole, end))
    if not beside_han and _PURE_WORD.fullmatch(token):
        return token
    latin = sum(1 for ch in token if ch.isascii() and ch.isalpha())
    foreign = [ch for ch in token if ch >= "\u0370"]
    others = len(token) - latin - len(foreign) + beside_han
    if latin == 0 and others == 0:
        return token  # a plain Cyrillic or Greek word
    all_twins = all(ord(ch) in CYR_GREEK_TO_LATIN for ch in foreign)
    if len(foreign) > latin and not all_twins:
        return token.translate(LATIN_TO_CYRILLIC)
    return token.translate(CYR_GREEK_TO_LATIN)


def _numeral_run(match: re.Match[str]) -> str:
    run = match.group()
    if _NUMERAL_CHARS.isdisjoint(run):
        return run
    count = sum(1 for ch in run if ch in _NUMERAL_CHARS or "0" <= ch <= "9")
    if count >= 5 or (count >= 3 and any(ch in _MARKED for ch in run)):
        return run.translate(_NUMERAL_TABLE)
    return run


def _extra(match: re.Match[str]) -> str:
    return EXTRA_FOLD[ord(match.group())]


def _fold_decoration(text: str, astral: bool) -> str:
    """Remove decoration, then fold the kept forms (ASCII letters and digits) of ``EXTRA_FOLD``."""
    text = _REMOVE_BMP.sub("", text)
    if astral:
        text = _REMOVE_ASTRAL.sub("", text)
    text = _EXTRA_BMP.sub(_extra, text)
    if astral:
        text = _EXTRA_ASTRAL.sub(_extra, text)
    return text


def _fold_unicode(text: str) -> str:
    for wide, narrow in _COMMON_WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    if _UNUSUAL.search(text):
        # Only text with characters outside ASCII, common CJK punctuation and Han needs the
        # full treatment; for everything else each of these steps is the identity.
        text = _nfkc(text)
        if _CYR_GREEK.search(text) and _SCRIPT_MIX.search(text):
            text = _MIXED_TOKEN.sub(_fold_token, text)
        text = text.lower()
        astral = bool(_ASTRAL.search(text))
        if _DECOR_BMP.search(text) or (astral and _DECOR_ASTRAL.search(text)):
            # Removing a mark inside a token can leave look-alikes the first pass kept (1Τ҃).
            refold = bool(_CG_MARK.search(text))
            text = _fold_decoration(text, astral)
            if refold and _SCRIPT_MIX.search(text):
                text = _MIXED_TOKEN.sub(_fold_token, text)
        text = _nfkc(text)
    else:
        text = text.lower()
    folded = " ".join(_simplify(text).split())
    if _NUMERAL_CHAR.search(folded):
        folded = _NUMERAL_RUN.sub(_numeral_run, folded)
    return folded


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """The folded matching copy of ``text`` (see the module docstring for the steps)."""
    folded = " ".join(text.lower().split()) if text.isascii() else _fold_unicode(text)
    if _DIGIT.search(folded):
        folded = _BETWEEN_DIGITS.sub("", folded)
    if " " in folded and not folded.isascii():
        folded = _BETWEEN_HAN.sub("", folded)
    return folded


def fold_digits(text: str) -> str:
    """Only the digits of the folded text, in order (``"①3 8-0"`` → ``"1380"``)."""
    return "".join(_DIGIT.findall(normalize(text)))


@lru_cache(maxsize=4096)
def fingerprint(text: str) -> str:
    """A short stable hash of the folded text without whitespace or punctuation.

    Two messages that differ only in disguise, spacing or punctuation share a fingerprint;
    an empty or punctuation-only message fingerprints to ``""``.
    """
    core = _PUNCT_OR_SPACE.sub("", normalize(text))
    if not core:
        return ""
    return hashlib.blake2b(core.encode("utf-8"), digest_size=8).hexdigest()
