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
   Any other combining mark is removed too unless it sits on a letter of its own script (or,
   a generic one, on a Latin, Greek or Cyrillic letter): marks strewn between Han (加\uabed微).
4. Traditional → simplified Chinese (OpenCC ``t2s``), only when a traditional character occurs;
   Japanese shinjitai forms no Chinese standard uses (黒 広 売) → their simplified form first.
5. Chinese numerals → digits, only inside a numeral run: at least 5 numerals/digits, or at
   least 3 when the run also holds an ASCII digit or a formal/radio numeral (壹 贰, 幺 洞 拐 勾).
   Runs may be broken by up to 4 separators. So ``加我一三五七九二四六八`` becomes digits while
   ``一起``, ``三三两两`` and ``两三个`` stay words.
6. Separators between digits (spaces, punctuation, emoji: up to 4 in a row) are removed,
   spaces between two Han characters are removed, other whitespace runs become one space.
   Where removed decoration or joined digits make a new token holding look-alikes (α​x, ж3 8p),
   step 2 runs again, so that folding twice changes nothing more.

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

from policies._fold_tables import (
    CYR_GREEK_TO_LATIN,
    EXTRA_FOLD,
    LATIN_TO_CYRILLIC,
    REMOVED,
)
from policies._han import fold_numerals, simplify
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


#: Combining marks (Mn, Me) of the BMP; those not always removed are kept only on a letter of
#: their own script (Thai vowels on Thai, Arabic vowels on Arabic), or, generic ones, on a Latin,
#: Greek or Cyrillic letter. Elsewhere (a Meetei Mayek mark between Han) they are decoration.
_ALL_MARKS = frozenset(
    chr(cp) for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp)) in ("Mn", "Me")
)
_MARKS = frozenset(ch for ch in _ALL_MARKS if ord(ch) not in REMOVED)
_MARK_BASE = re.compile("[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1fff]")
_DECOR_BMP, _DECOR_ASTRAL = split_class(REMOVED | set(EXTRA_FOLD) | set(map(ord, _MARKS)))
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
#: A digit and the separators after it when another digit follows: starting with the digit
#: lets ``re`` skip ahead to digits quickly (a leading look-behind is tried at every position).
_BETWEEN_DIGITS = re.compile(r"[0-9][\W_]{1,4}(?=[0-9])")
_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Starts with the literal space (so ``re`` scans for it fast), then looks back past it.
_BETWEEN_HAN = re.compile(f" (?<=[{_HAN}] )(?=[{_HAN}])")
#: Runs of letters and digits: joined, they are the text without whitespace or punctuation
#: (what removing ``[\W_]+`` leaves, ~12% sooner).
_WORD_RUN = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"[0-9]")
_QUICK_CHECK_LIMIT = 500
#: Full-width ASCII (！ to ～): NFKC makes each the ASCII character 0xFEE0 below it.
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
_FULL_WIDTH_RUN = re.compile("[\uff01-\uff5e]+")
_NARROW = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def _narrow(match: re.Match[str]) -> str:
    return match.group().translate(_NARROW)
#: Whitespace (``str.isspace``) other than the space: with no double, leading or trailing
#: space either, splitting and joining on whitespace changes nothing.
_OTHER_SPACE = re.compile(
    "[\t-\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)




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




@lru_cache(maxsize=1024)
def _mark_fits(mark: str, base: str) -> bool:
    """Whether combining ``mark`` belongs on ``base``: same script (the first word of their
    Unicode names), or a generic ``COMBINING`` mark on a Latin, Greek or Cyrillic letter."""
    if ord(base) in REMOVED or ord(base) in EXTRA_FOLD:
        return False  # the base goes too (or becomes ASCII): so must the mark
    script = unicodedata.name(mark, "").split(" ", 1)[0]
    if script == "COMBINING":
        return bool(_MARK_BASE.match(base))
    return script == unicodedata.name(base, "").split(" ", 1)[0] and not base.isspace()


def _fold_decoration(text: str, astral: bool, look_alikes: bool) -> tuple[str, bool]:
    """Remove decoration and fold the kept forms (ASCII letters and digits) of ``EXTRA_FOLD``,
    in one scan; also tell whether a change touched a token holding Cyrillic or Greek (and so
    may have joined scripts the look-alike pass saw apart)."""
    changed = False
    flipped = ""  # the text reversed, once a token is read backwards

    def fold(match: re.Match[str]) -> str:
        nonlocal changed, flipped
        char, whole, start = match.group(), match.string, match.start()
        if char in _MARKS:  # kept on a letter it belongs to, after any other marks
            base = start
            while base and whole[base - 1] in _ALL_MARKS:
                base -= 1
            if base and _mark_fits(char, whole[base - 1]):
                return char
        if look_alikes and not changed:  # only a token holding them can fold differently now
            if _CG_AHEAD.match(whole, start + 1) is not None:
                changed = True
            elif start:
                flipped = flipped or whole[::-1]
                changed = _cg_behind(flipped, start - 1)
        return EXTRA_FOLD.get(ord(char), "")

    text = _DECOR_BMP.sub(fold, text)
    if astral and (found := astral_chars(text) & _DECOR_ASTRAL):
        changed = look_alikes  # rare (tags, 🅰): not worth locating
        for char in found:
            text = text.replace(char, EXTRA_FOLD.get(ord(char), ""))
    return text, changed


def _fold_unicode(text: str) -> tuple[str, bool]:
    """The Unicode steps, and whether Chinese numerals turned into digits."""
    for wide, narrow in _COMMON_WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    if _UNUSUAL.search(text):
        # Only text with characters outside ASCII, common CJK punctuation and Han needs the
        # full treatment; for everything else each of these steps is the identity.
        # No step below turns BMP characters into astral ones.
        if _FULL_WIDTH.search(text):
            # Replaced by their NFKC forms: the text stays NFKC-equivalent (the NFKC of it is
            # unchanged), and is often normalised then, where NFKC of its runs cost much more.
            text = _FULL_WIDTH_RUN.sub(_narrow, text)
        astral = bool(ASTRAL.search(text))
        # ``is_normalized`` answers at once unless the text holds composing marks, when it costs
        # a whole normalisation: worth asking first only of short texts.
        if len(text) > _QUICK_CHECK_LIMIT or not unicodedata.is_normalized("NFKC", text):
            text = nfkc(text, astral)
        look_alikes = bool(_CYR_GREEK.search(text))
        if look_alikes and _SCRIPT_MIX.search(text):
            text = _fold_lookalikes(text)
        text = text.lower()
        text, refold = _fold_decoration(text, astral, look_alikes)
        if refold:
            # What decoration removed or folded can join scripts the first pass kept apart
            # (1Τ҃, α​x, αᴀ).
            text = _fold_lookalikes(text)
        if not unicodedata.is_normalized("NFKC", text):  # decoration took the composing marks
            text = nfkc(text, astral)
    else:
        text = text.lower()
    folded = simplify(text)
    if "  " in folded or folded[:1] == " " or folded[-1:] == " " or _OTHER_SPACE.search(folded):
        folded = " ".join(folded.split())
    return fold_numerals(folded)


def _first_char(match: re.Match[str]) -> str:
    return match.string[match.start()]


#: ASCII letters and digits up to a Cyrillic or Greek character: matched at an index, whether
#: the token goes on to hold one (matched in the reversed text: whether it held one before).
_CG_AHEAD = re.compile(f"[0-9A-Za-z]*[{_CG}]")


def _cg_behind(flipped: str, index: int) -> bool:
    """Whether the ASCII letters and digits ending at ``index`` of the text ``flipped``
    reverses, walking back, reach a Cyrillic or Greek character before the token starts."""
    return index >= 0 and _CG_AHEAD.match(flipped, len(flipped) - 1 - index) is not None


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """The folded matching copy of ``text`` (see the module docstring for the steps)."""
    numerals = False
    if text.isascii():
        folded = " ".join(text.lower().split())
    else:
        folded, numerals = _fold_unicode(text)
    joined = numerals  # digits may now join a token holding look-alikes (ж3 8p, 两ҡ)

    right = (-1, False)  # the end of the last token right of a join, and whether it has CG
    flipped = ""  # the text reversed, once a token is read backwards

    def join_digits(match: re.Match[str]) -> str:
        nonlocal joined, right, flipped
        whole, start, end = match.string, match.start(), match.end()
        if not joined:
            # A run of joins (138 1234 5678) reads each token once.
            if start < right[0]:
                left = right[1]
            else:
                flipped = flipped or whole[::-1]
                left = _cg_behind(flipped, start)
            token_end = _ALNUM_RUN.match(whole, end).end()  # type: ignore[union-attr]
            right = (token_end, bool(_CYR_GREEK.search(whole, end, token_end)))
            joined = left or right[1]
        return whole[start]

    if _DIGIT.search(folded):
        look_alikes = not folded.isascii() and _CYR_GREEK.search(folded)
        folded = _BETWEEN_DIGITS.sub(join_digits if look_alikes else _first_char, folded)
        if joined and look_alikes:
            folded = _fold_lookalikes(folded)
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
    return "".join(_WORD_RUN.findall(normalize(text)))


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
