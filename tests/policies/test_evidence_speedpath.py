"""The per-character fold behind ads evidence equals folding each character on its own."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.ads_evidence import _folded_chars, _gapped, disguised, original_evidence

#: Characters each fast path of the fold treats apart: capitals ``str.lower`` alone folds
#: (Cyrillic, Greek, Σ with its context-dependent lower case), full-width and uneven forms
#: (ﬁ İ ½), astral ones that fold (𝐀, Deseret capitals), stay (emoji) or are uneven (𝅗𝅥).
TRICKY = st.sampled_from(
    [
        *"ПпΩΣσς ΑΒİıﬁ½ＦＴＡ６８９，！？a Zz1",
        *("\U0001d400", "\U00010400", "\U00010428", "\U0001f602", "\U0001d15e", "\u3000"),
    ]
)


def _one_by_one(text: str) -> tuple[str, list[int]]:
    folds = [unicodedata.normalize("NFKC", ch).lower() for ch in text]
    starts = [0]
    for fold in folds:
        starts.append(starts[-1] + len(fold))
    return "".join(folds), starts


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(TRICKY, st.characters(exclude_categories=["Cs"])), max_size=40))
def test_folded_chars_equals_each_character_folded_alone(chars: list[str]) -> None:
    text = "".join(chars)
    joined, offsets, odd = _folded_chars(text)
    expected, starts = _one_by_one(text)
    assert joined == expected
    assert (offsets or list(range(len(text) + 1))) == starts
    assert odd == [i for i, ch in enumerate(text) if starts[i + 1] - starts[i] != 1]


def test_evidence_of_a_capitalised_contact_beside_emoji_is_the_original_text() -> None:
    text = "😂😂 ВИЧАТ 𝐀𝐁𝐂123 ΣΣ"
    assert original_evidence(text, "abc123") == "𝐀𝐁𝐂123"
    assert original_evidence(text, "вичат") == "ВИЧАТ"


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*"ab1 -_.加ж"]), min_size=1, max_size=5),
    st.lists(st.sampled_from([*"ab1 -_.加ж😂", "  ", "-------"]), max_size=30).map("".join),
)
def test_gapped_finds_what_the_equivalent_pattern_finds(core: list[str], text: str) -> None:
    core = [ch for ch in core if ch.isalnum()] or ["a"]
    pattern = re.compile(r"\W{0,6}".join(map(re.escape, core)))
    found = pattern.search(text)
    assert _gapped(core, text, 0, len(text)) == (found.span() if found else None)


def test_a_disguised_contact_is_judged_the_same_when_seen_again() -> None:
    assert disguised("１３９ 1234 5678", "13912345678") is True
    assert disguised("１３９ 1234 5678", "13912345678") is True
    assert disguised("13912345678", "13912345678") is False
