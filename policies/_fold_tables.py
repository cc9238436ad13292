"""Character tables for text folding: invisible characters, look-alikes and numeral forms."""

from __future__ import annotations

from collections.abc import Iterable

#: Format characters (Unicode category Cf): zero-width spaces and joiners, bidi controls, tags.
_FORMAT_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)

#: Filler and decoration spammers put between characters: runes, ogham, box drawing,
#: block shading, braille, Hangul fillers, Khmer invisible vowels, variation selectors, the
#: combining marks used for strike-through / underline / keycap effects, and the replacement
#: characters (U+FFFC, U+FFFD: also what a lone surrogate in an update becomes).
_DECORATIVE_RANGES = (
    (0xFFFC, 0xFFFD),
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
    (0x1680, 0x169F),
    (0x16A0, 0x16FF),
    (0x2500, 0x259F),
    (0x2800, 0x28FF),
    (0x115F, 0x1160),
    (0x3164, 0x3164),
    (0xFFA0, 0xFFA0),
    (0x17B4, 0x17B5),
    (0x034F, 0x034F),
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
)


def _span(ranges: Iterable[tuple[int, int]]) -> Iterable[int]:
    for low, high in ranges:
        yield from range(low, high + 1)


REMOVED: frozenset[int] = frozenset(_span(_FORMAT_RANGES)) | frozenset(_span(_DECORATIVE_RANGES))


#: Letter and digit forms NFKC leaves alone: negative circled/squared letters, regional
#: indicators, dingbat circled digits, Latin small capitals.
def _letters_from(start: int) -> dict[int, str]:
    return {start + i: chr(ord("a") + i) for i in range(26)}


EXTRA_FOLD: dict[int, str] = {
    **_letters_from(0x1F150),  # 🅐 negative circled
    **_letters_from(0x1F170),  # 🅰 negative squared
    **_letters_from(0x1F1E6),  # 🇦 regional indicators
    **{0x2776 + i: str((i + 1) % 10) for i in range(10)},  # ❶..❿ (❿ → 0: ten, last digit)
    **{0x2780 + i: str((i + 1) % 10) for i in range(10)},  # ➀..➉
    **{0x278A + i: str((i + 1) % 10) for i in range(10)},  # ➊..➓
    0x24FF: "0",
    0x24EA: "0",
    0x1F10B: "0",
    0x1F10C: "0",  # ⓿ ⓪ 🄋 🄌
    **{0x24F5 + i: str((i + 1) % 10) for i in range(10)},  # ⓵..⓾
}
for _small, _latin in zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz", strict=True):
    EXTRA_FOLD[ord(_small)] = _latin
EXTRA_FOLD.update({ord("ı"): "i", ord("ȷ"): "j", ord("ɑ"): "a", ord("ɡ"): "g"})

#: Cyrillic and Greek letters with a Latin twin (both cases; output is lower-case Latin).
CYR_GREEK_TO_LATIN: dict[int, str] = {
    ord(k): v
    for k, v in {
        "а": "a",
        "А": "a",
        "в": "b",
        "В": "b",
        "е": "e",
        "Е": "e",
        "ё": "e",
        "Ё": "e",
        "к": "k",
        "К": "k",
        "м": "m",
        "М": "m",
        "н": "h",
        "Н": "h",
        "о": "o",
        "О": "o",
        "р": "p",
        "Р": "p",
        "с": "c",
        "С": "c",
        "т": "t",
        "Т": "t",
        "у": "y",
        "У": "y",
        "х": "x",
        "Х": "x",
        "ѕ": "s",
        "Ѕ": "s",
        "і": "i",
        "І": "i",
        "ї": "i",
        "Ї": "i",
        "ј": "j",
        "Ј": "j",
        "ԁ": "d",
        "ԛ": "q",
        "Ԛ": "q",
        "ԝ": "w",
        "Ԝ": "w",
        "һ": "h",
        "Һ": "h",
        "ӏ": "l",
        "Ӏ": "l",
        "ү": "y",
        "Ү": "y",
        "Α": "a",
        "α": "a",
        "Β": "b",
        "β": "b",
        "Ε": "e",
        "ε": "e",
        "Ζ": "z",
        "Η": "h",
        "Ι": "i",
        "ι": "i",
        "Κ": "k",
        "κ": "k",
        "Μ": "m",
        "Ν": "n",
        "ν": "v",
        "Ο": "o",
        "ο": "o",
        "Ρ": "p",
        "ρ": "p",
        "Τ": "t",
        "τ": "t",
        "Υ": "y",
        "υ": "u",
        "Χ": "x",
        "χ": "x",
        "ω": "w",
    }.items()
}

#: Latin letters with a Cyrillic twin, for words that are mostly Cyrillic ("пpивeт").
LATIN_TO_CYRILLIC: dict[int, str] = {
    ord(k): v
    for k, v in {
        "a": "а",
        "A": "а",
        "B": "в",
        "c": "с",
        "C": "с",
        "e": "е",
        "E": "е",
        "H": "н",
        "k": "к",
        "K": "к",
        "M": "м",
        "o": "о",
        "O": "о",
        "p": "р",
        "P": "р",
        "T": "т",
        "x": "х",
        "X": "х",
        "y": "у",
        "Y": "у",
        "i": "і",
    }.items()
}

#: Chinese numerals → digits. Plain ones are everyday words too (一起, 三三两两); formal
#: (壹贰叁) and radio-style (幺 洞 拐 勾) ones are rarely anything but digits in a run.
PLAIN_NUMERALS = {
    "零": "0",
    "〇": "0",
    "○": "0",
    "一": "1",
    "二": "2",
    "两": "2",
    "兩": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
MARKED_NUMERALS = {
    "壹": "1",
    "贰": "2",
    "貳": "2",
    "叁": "3",
    "參": "3",
    "肆": "4",
    "伍": "5",
    "陆": "6",
    "陸": "6",
    "柒": "7",
    "捌": "8",
    "玖": "9",
    "幺": "1",
    "洞": "0",
    "拐": "7",
    "勾": "9",
}
NUMERALS = {**PLAIN_NUMERALS, **MARKED_NUMERALS}
