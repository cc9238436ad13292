"""The per-character fold behind ads evidence equals folding each character on its own."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.ads import _folded_chars, original_evidence

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
