"""Han folding for ``policies.normalize``: traditional and Japanese forms to simplified Chinese."""

from __future__ import annotations

import re
from typing import Any

from policies._fold_tables import MARKED_NUMERALS, NUMERALS
from policies._unicode import astral_chars, split_class

__all__ = ["fold_numerals", "simplify"]

_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEP = r"[\W_]{0,4}"
_NUM_CLASS = "0-9" + "".join(NUMERALS)
_NUMERAL_RUN = re.compile(f"[{_NUM_CLASS}](?:{_SEP}[{_NUM_CLASS}]){{2,}}")
_NUMERAL_CHAR = re.compile(f"[{''.join(NUMERALS)}]")
_NUMERAL_CHARS = frozenset(NUMERALS)
_MARKED = frozenset(MARKED_NUMERALS) | frozenset("0123456789")
_NUMERAL_TABLE = str.maketrans(NUMERALS)
#: The element of a numeral run just before position ``endpos`` (searched in a short window).
_RUN_LINK = re.compile(f"[{_NUM_CLASS}]{_SEP}\\Z")
#: Where the characters ``t2s`` or ``jp2t`` change live (checked against every code point).
_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x30000))
#: The astral one (a single range: cheaper to scan for than collecting the astral characters).
_HAN_ASTRAL = re.compile("[\U00020000-\U0002ffff]")


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


class _Simplifier:
    """OpenCC ``t2s`` (phrase-aware), built on first use, run only on text holding Han and at
    least one character that it changes (every phrase it rewrites holds one of them).

    Japanese shinjitai forms are folded too, one by one: a character that GB 2312 lacks and
    ``t2s`` keeps, but that OpenCC ``jp2t`` then ``t2s`` turn into a GB 2312 character (黒 → 黑,
    広 → 广, 売 → 卖). Characters Chinese writes too (芸, 浜, 予) are in GB 2312 and stay.
    An output that the fold changes again (薴 → 苧 → 苎, 戱 → 戯 → 戏) is converted once more,
    so the fold is idempotent.
    """

    def __init__(self) -> None:
        self._converter: Any = None
        self._changed: tuple[re.Pattern[str], frozenset[str]] | None = None
        self._japanese: re.Pattern[str] | None = None
        self._japanese_table: dict[str, str] = {}
        self._again: re.Pattern[str] | None = None

    def _build(self) -> tuple[re.Pattern[str], frozenset[str]]:
        import opencc

        self._converter = t2s = opencc.OpenCC("t2s")
        points = [cp for low, high in _RANGES for cp in range(low, high)]
        chars = [chr(cp) for cp in points]
        # One call each: a line break is in no phrase, so each character converts on its own.
        simple = t2s.convert("\n".join(chars)).split("\n")
        old = opencc.OpenCC("jp2t").convert("\n".join(chars)).split("\n")
        via_old = t2s.convert("\n".join(old)).split("\n")
        for char, s, o, v in zip(chars, simple, old, via_old, strict=True):
            shinjitai = s == char and o != char and len(v) == 1 and v != char
            if shinjitai and _in_gb2312(v) and not _in_gb2312(char):
                self._japanese_table[char] = v
        outputs = {s for char, s in zip(chars, simple, strict=True) if s != char and len(s) == 1}
        outputs.update(self._japanese_table.values())
        again = {ord(s) for s in outputs if s in self._japanese_table or t2s.convert(s) != s}
        again |= set(map(ord, self._japanese_table))
        if self._japanese_table:
            self._japanese = split_class(map(ord, self._japanese_table))[0]
        if again:
            self._again = split_class(again)[0]
        changed = {cp for cp, s in zip(points, simple, strict=True) if s != chr(cp)}
        self._changed = split_class(changed | set(map(ord, self._japanese_table)))
        return self._changed

    def _japanese_char(self, match: re.Match[str]) -> str:
        return self._japanese_table[match.group()]

    def __call__(self, text: str) -> str:
        if not _HAN_CHAR.search(text):
            return text
        bmp, astral = self._changed or self._build()
        if not bmp.search(text) and (
            not _HAN_ASTRAL.search(text) or astral.isdisjoint(astral_chars(text))
        ):
            return text
        result: str = self._converter.convert(text)
        # Shinjitai forms pass t2s unchanged: folded after it, with what it left to redo.
        if self._again is not None and self._again.search(result):
            if self._japanese is not None:
                result = self._japanese.sub(self._japanese_char, result)
            result = self._converter.convert(result)
        return result


simplify = _Simplifier()


def _numeral_run(run: str) -> str:
    count = sum(1 for ch in run if ch in _NUMERAL_CHARS or "0" <= ch <= "9")
    if count >= 5 or (count >= 3 and any(ch in _MARKED for ch in run)):
        return run.translate(_NUMERAL_TABLE)
    return run


def fold_numerals(text: str) -> tuple[str, bool]:
    """Fold every numeral run holding a Chinese numeral (runs of digits alone stay as they are).

    From each numeral not yet inside a run, walk back over the run's earlier elements (digit
    or numeral, at most 4 separators apart), then match the whole run forward from its start.
    A lone everyday numeral (一起) costs two short look-ups instead of a run attempt at every
    digit of the text. Also tells whether any run changed.
    """
    parts: list[str] = []
    done = seen = 0  # the end of the text copied to ``parts``; of the runs already read
    for numeral in _NUMERAL_CHAR.finditer(text):
        start = numeral.start()
        if start < seen:
            continue
        while (link := _RUN_LINK.search(text, max(seen, start - 5), start)) is not None:
            start = link.start()
        run = _NUMERAL_RUN.match(text, start)
        if run is None:
            continue
        seen = run.end()
        if (folded := _numeral_run(run.group())) != run.group():
            parts += (text[done:start], folded)
            done = seen
    if not parts:
        return text, False
    parts.append(text[done:])
    return "".join(parts), True
