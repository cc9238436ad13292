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
from policies._unicode import ASTRAL, astral_chars, nfkc, split_class

__all__ = ["SCAN_LIMIT", "compact", "fingerprint", "fold_digits", "normalize", "scanned"]

#: Content policies read only this many leading characters of a message: spam signals
#: (contacts, links, promotions, insults) sit at the start, and a 4,000-character paste must
#: not cost milliseconds in every policy. Every policy slicing the same way also lets them share
#: one cached ``normalize`` of the slice.
SCAN_LIMIT = 1500


def scanned(text: str) -> str:
    """The part of a message content policies read: its first ``SCAN_LIMIT`` characters."""
    return text if len(text) <= SCAN_LIMIT else text[:SCAN_LIMIT]


_DECOR_BMP, _DECOR_ASTRAL = split_class(REMOVED | set(EXTRA_FOLD))
#: Removed characters that can sit inside a look-alike token (Cyrillic combining marks).
_CG_MARKS = frozenset(cp for cp in REMOVED if 0x370 <= cp <= 0x52F)
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
_ALNUM_CHAR = re.compile(f"[{_ALNUM}]")
_ALNUM_RUN = re.compile(f"[{_ALNUM}]*")
_SEP = r"[\W_]{0,4}"
_NUM_CLASS = "0-9" + "".join(NUMERALS)
_NUMERAL_RUN = re.compile(f"[{_NUM_CLASS}](?:{_SEP}[{_NUM_CLASS}]){{2,}}")
_NUMERAL_CHARS = frozenset(NUMERALS)
_NUMERAL_CHAR = re.compile(f"[{''.join(NUMERALS)}]")
#: The element of a numeral run just before position ``endpos`` (searched in a short window).
_RUN_LINK = re.compile(f"[{_NUM_CLASS}]{_SEP}\\Z")
_MARKED = frozenset(MARKED_NUMERALS) | frozenset("0123456789")
_NUMERAL_TABLE = str.maketrans(NUMERALS)
#: A digit and the separators after it when another digit follows: starting with the digit
#: lets ``re`` skip ahead to digits quickly (a leading look-behind is tried at every position).
_BETWEEN_DIGITS = re.compile(r"[0-9][\W_]{1,4}(?=[0-9])")
_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Starts with the literal space (so ``re`` scans for it fast), then looks back past it.
_BETWEEN_HAN = re.compile(f" (?<=[{_HAN}] )(?=[{_HAN}])")
_PUNCT_OR_SPACE = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"[0-9]")
_QUICK_CHECK_LIMIT = 500


class _Simplifier:
    """OpenCC ``t2s`` (phrase-aware), built on first use, run only on text holding Han and at
    least one character that ``t2s`` changes (every phrase it rewrites holds one of them)."""

    #: Where the characters ``t2s`` changes live (checked against every code point).
    _RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x30000))

    def __init__(self) -> None:
        self._converter: Any = None
        self._changed: tuple[re.Pattern[str], frozenset[str]] | None = None

    def _build(self) -> tuple[re.Pattern[str], frozenset[str]]:
        import opencc

        self._converter = opencc.OpenCC("t2s")
        points = [cp for low, high in self._RANGES for cp in range(low, high)]
        # One call: a line break is in no phrase, so each character converts on its own.
        out = self._converter.convert("\n".join(map(chr, points))).split("\n")
        self._changed = split_class(cp for cp, o in zip(points, out, strict=True) if o != chr(cp))
        return self._changed

    def __call__(self, text: str) -> str:
        if not _HAN_CHAR.search(text):
            return text
        bmp, astral = self._changed or self._build()
        if not bmp.search(text) and astral.isdisjoint(astral_chars(text)):
            return text
        result: str = self._converter.convert(text)
        return result


_simplify = _Simplifier()


def _fold_span(whole: str, start: int, end: int) -> str:
    """The look-alike fold of the token ``whole[start:end]`` (holding Cyrillic or Greek)."""
    token = whole[start:end].lower()  # the twin tables are complete in lower case
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


def _fold_lookalikes(text: str) -> str:
    """Fold the look-alike letters of every token where scripts meet.

    Only a token in which a Cyrillic/Greek letter touches a Latin letter, a digit or Han can
    change (any other token holding one is a plain word): the script-mix scan jumps from one
    such meeting to the next, and the token around each is found by its word boundaries.
    """
    parts: list[str] = []
    done = 0
    mix = _SCRIPT_MIX.search(text)
    while mix is not None:
        start = mix.start()
        while start > done and _ALNUM_CHAR.match(text, start - 1):
            start -= 1
        end = _ALNUM_RUN.match(text, mix.start()).end()  # type: ignore[union-attr]
        parts += (text[done:start], _fold_span(text, start, end))
        done = end
        mix = _SCRIPT_MIX.search(text, end)
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _numeral_run(run: str) -> str:
    count = sum(1 for ch in run if ch in _NUMERAL_CHARS or "0" <= ch <= "9")
    if count >= 5 or (count >= 3 and any(ch in _MARKED for ch in run)):
        return run.translate(_NUMERAL_TABLE)
    return run


def _fold_numerals(text: str) -> str:
    """Fold every numeral run holding a Chinese numeral (runs of digits alone stay as they are).

    From each numeral not yet inside a run, walk back over the run's earlier elements (digit
    or numeral, at most 4 separators apart), then match the whole run forward from its start.
    A lone everyday numeral (一起) costs two short look-ups instead of a run attempt at every
    digit of the text.
    """
    parts: list[str] = []
    done = 0
    for numeral in _NUMERAL_CHAR.finditer(text):
        start = numeral.start()
        if start < done:
            continue
        while (link := _RUN_LINK.search(text, max(done, start - 5), start)) is not None:
            start = link.start()
        run = _NUMERAL_RUN.match(text, start)
        if run is not None:
            parts += (text[done:start], _numeral_run(run.group()))
            done = run.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _fold_decoration(text: str, astral: bool) -> tuple[str, bool]:
    """Remove decoration and fold the kept forms (ASCII letters and digits) of ``EXTRA_FOLD``,
    in one scan; also tell whether a Cyrillic combining mark was among the removed."""
    marks = False

    def fold(match: re.Match[str]) -> str:
        nonlocal marks
        cp = ord(match.group())
        marks = marks or cp in _CG_MARKS
        return EXTRA_FOLD.get(cp, "")

    text = _DECOR_BMP.sub(fold, text)
    if astral:
        for char in astral_chars(text) & _DECOR_ASTRAL:
            text = text.replace(char, EXTRA_FOLD.get(ord(char), ""))
    return text, marks


def _fold_unicode(text: str) -> str:
    for wide, narrow in _COMMON_WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    if _UNUSUAL.search(text):
        # Only text with characters outside ASCII, common CJK punctuation and Han needs the
        # full treatment; for everything else each of these steps is the identity.
        # No step below turns BMP characters into astral ones.
        astral = bool(ASTRAL.search(text))
        # ``is_normalized`` answers at once unless the text holds composing marks, when it costs
        # a whole normalisation: worth asking first only of short texts.
        if len(text) > _QUICK_CHECK_LIMIT or not unicodedata.is_normalized("NFKC", text):
            text = nfkc(text, astral)
        if _CYR_GREEK.search(text) and _SCRIPT_MIX.search(text):
            text = _fold_lookalikes(text)
        text = text.lower()
        text, refold = _fold_decoration(text, astral)
        if refold:
            # Removing a mark inside a token can leave look-alikes the first pass kept (1Τ҃).
            text = _fold_lookalikes(text)
        if not unicodedata.is_normalized("NFKC", text):  # decoration took the composing marks
            text = nfkc(text, astral)
    else:
        text = text.lower()
    folded = " ".join(_simplify(text).split())
    if _NUMERAL_CHAR.search(folded):
        folded = _fold_numerals(folded)
    return folded


def _first_char(match: re.Match[str]) -> str:
    return match.string[match.start()]


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """The folded matching copy of ``text`` (see the module docstring for the steps)."""
    folded = " ".join(text.lower().split()) if text.isascii() else _fold_unicode(text)
    if _DIGIT.search(folded):
        folded = _BETWEEN_DIGITS.sub(_first_char, folded)
    if " " in folded and not folded.isascii():
        folded = _BETWEEN_HAN.sub("", folded)
    return folded


def fold_digits(text: str) -> str:
    """Only the digits of the folded text, in order (``"①3 8-0"`` → ``"1380"``)."""
    return "".join(_DIGIT.findall(normalize(text)))


@lru_cache(maxsize=4096)
def compact(text: str) -> str:
    """The folded text without whitespace or punctuation (shared by ``fingerprint`` and the
    policies that match across separators, so a message pays for it once)."""
    return _PUNCT_OR_SPACE.sub("", normalize(text))


@lru_cache(maxsize=4096)
def fingerprint(text: str) -> str:
    """A short stable hash of the folded text without whitespace or punctuation.

    Two messages that differ only in disguise, spacing or punctuation share a fingerprint;
    an empty or punctuation-only message fingerprints to ``""``.
    """
    core = compact(text)
    if not core:
        return ""
    return hashlib.blake2b(core.encode("utf-8"), digest_size=8).hexdigest()
