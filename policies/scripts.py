"""Mixed-script words: Cyrillic words salted with Latin look-alikes ("Здpaвcтвyйтe"), or the
reverse ("Сrypto"), as spammers write them to slip past keyword filters.

Read on the original text (folding undoes exactly what is looked for here). A word is a run of
Cyrillic and Latin-like letters (ASCII, IPA and small capitals such as ᴀ ᴛ, Greek); digits,
hyphens, punctuation and accented Latin letters end it, so "IT-отдел" is two honest words and
"определëнный" (ë for ё, ó for stress) is no disguise. A run counts as mixed when:

- its scripts switch at least twice (Cyrillic → Latin → Cyrillic: "пpивeт", "oплaTa"); or
- it is split by invisible characters ("наш<U+2068>ел": zero-width space, word joiner, bidi
  isolates; not the zero-width joiners Persian and emoji need); or
- it switches once, the lesser script is one look-alike letter, and it sits at the start or
  the word is mostly Cyrillic ("Bас", "Cтавки", "Сrypto"); or a mostly Cyrillic word ends in
  Latin letters ("Рабоma"). A Latin word with a Cyrillic ending
  ("iPhoneа") or a Latin abbreviation before a Russian suffix ("SSDшник") is slang, not a
  disguise, and does not count.

Left alone: words whose only Latin letter is "i" (Ukrainian and Belarusian typed without an
"і" key), and words inside links, mentions, hashtags-with-underscores and code (a
whitespace-separated chunk holding ``/ @ _ = \\ < > { } `` ` `` or a dot between letters).
"""

from __future__ import annotations

import itertools
import re

from policies._fold_tables import CYR_GREEK_TO_LATIN, LATIN_TO_CYRILLIC

__all__ = ["mixed_words"]

_CYR = "\u0400-\u052f\u1c80-\u1c8f\ua640-\ua69f"
_LAT = "A-Za-z\u0250-\u02af\u0370-\u03ff\u1d00-\u1dbf"
_ANY_CYR = re.compile(f"[{_CYR}]")
#: A Cyrillic letter beside a Latin-like one, either way round: where a mixed word is. Starting
#: with the Cyrillic class lets ``re`` skip fast through other text.
_MEETING = re.compile(f"[{_CYR}](?:(?<=[{_LAT}][{_CYR}])|(?=[{_LAT}]))")
_RUN = re.compile(f"[{_CYR}{_LAT}]+")


def _chars(ranges: str) -> frozenset[str]:
    """The characters of a character-class body such as "A-Za-z\u0400-\u052f"."""
    found: set[str] = set()
    at = 0
    while at < len(ranges):
        if at + 2 < len(ranges) and ranges[at + 1] == "-":
            found.update(map(chr, range(ord(ranges[at]), ord(ranges[at + 2]) + 1)))
            at += 3
        else:
            found.add(ranges[at])
            at += 1
    return frozenset(found)


#: Set look-ups per character cost a fraction of a regular expression call.
_CYR_SET = _chars(_CYR)
_LETTERS = _CYR_SET | _chars(_LAT)
_CODE_CHARS = frozenset("/@_=\\<>{}`")
_DOT_IN_WORD = re.compile(r"\w\.\w")
#: Latin letters that pass for Cyrillic ones, and Cyrillic ones that pass for Latin.
_LATIN_TWINS = frozenset(chr(cp) for cp in LATIN_TO_CYRILLIC) | frozenset(
    ch.upper() for ch in map(chr, LATIN_TO_CYRILLIC) if ch.upper() != "I"
)
_CYR_TWINS = frozenset(chr(cp) for cp in CYR_GREEK_TO_LATIN if cp >= 0x400)
_UKRAINIAN_I = frozenset("iI")


#: Invisible characters spammers thread inside words ("наш<U+2068>ел"): zero-width space, word
#: joiner, invisible operators, bidi isolates, BOM. The zero-width (non-)joiners are left out:
#: Persian and emoji sequences need them.
_INVISIBLE = "\u200b\u2060-\u2064\u2066-\u2069\ufeff"
_ANY_INVISIBLE = re.compile(f"[{_INVISIBLE}]")
_SPLIT_WORD = re.compile(f"[{_CYR}{_LAT}]+(?:[{_INVISIBLE}]+[{_CYR}{_LAT}]+)+")


def mixed_words(text: str, limit: int = 3) -> list[str]:
    """The distinct mixed-script words of ``text`` (at most ``limit``), in order of appearance;
    words with invisible characters threaded inside count as well."""
    found: list[str] = []
    if _ANY_INVISIBLE.search(text):
        for split in _SPLIT_WORD.finditer(text):
            if split.group() not in found:
                found.append(split.group())
                if len(found) >= limit:
                    return found
    if not _ANY_CYR.search(text):
        return found
    at = 0
    while len(found) < limit and (meeting := _MEETING.search(text, at)) is not None:
        start = meeting.start()
        while start > 0 and text[start - 1] in _LETTERS:
            start -= 1
        run = _RUN.match(text, start)
        assert run is not None
        at = run.end()
        word = run.group()
        if word not in found and _is_mixed(word) and not _in_code(text, start, at):
            found.append(word)
    return found


def _is_mixed(word: str) -> bool:
    kinds = [ch in _CYR_SET for ch in word]
    switches = sum(1 for a, b in itertools.pairwise(kinds) if a != b)
    cyrillic = sum(kinds)
    latin_letters = [ch for ch, cyr in zip(word, kinds, strict=True) if not cyr]
    if cyrillic * 2 >= len(word) and set(latin_letters) <= _UKRAINIAN_I:
        return False
    if switches >= 2:
        return True
    minority_cyr = cyrillic * 2 < len(word)
    minority = [ch for ch, cyr in zip(word, kinds, strict=True) if cyr == minority_cyr]
    if not minority_cyr and kinds[0] and len(word) - len(minority) >= 2:
        return True  # a Cyrillic word ending in Latin letters ("Рабоma"); slang goes the other way
    if len(minority) != 1 or len(word) < 2:
        return False
    twin = minority[0] in (_CYR_TWINS if minority_cyr else _LATIN_TWINS)
    return twin and (kinds[0] == minority_cyr or not minority_cyr)


def _in_code(text: str, start: int, end: int) -> bool:
    """Whether the whitespace-separated chunk around ``text[start:end]`` is a link or code."""
    low = start
    while low > 0 and not text[low - 1].isspace():
        low -= 1
    high = end
    while high < len(text) and not text[high].isspace():
        high += 1
    chunk = text[low:high]
    return not _CODE_CHARS.isdisjoint(chunk) or bool(_DOT_IN_WORD.search(chunk))
