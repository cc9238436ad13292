"""Shortcuts of the fold (regex token reads, skipped passes) answer as the plain walks do."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import normalize as normalize_module
from policies._han import simplify
from policies.normalize import _CG_AHEAD, _FULL_WIDTH, _cg_behind, _fold_unicode, normalize

FULL_WIDTH = _FULL_WIDTH

TOKENS = st.lists(st.sampled_from([*"aZ09жΑω加 -ᚰ\u0336", "😂"]), max_size=30).map("".join)


def _walk(text: str, index: int, step: int) -> bool:
    while 0 <= index < len(text):
        char = text[index]
        if "\u0370" <= char <= "\u052f":
            return True
        if not (char.isascii() and char.isalnum()):
            return False
        index += step
    return False


@settings(max_examples=300, deadline=None)
@given(TOKENS, st.integers(min_value=-1, max_value=31))
def test_token_reads_by_regex_equal_walking_the_token(text: str, index: int) -> None:
    ahead = index >= 0 and _CG_AHEAD.match(text, index) is not None
    assert ahead == _walk(text, index, 1)
    assert _cg_behind(text[::-1], min(index, len(text) - 1)) == _walk(
        text, min(index, len(text) - 1), -1
    )


def test_runes_beside_look_alikes_join_their_tokens_either_side() -> None:
    assert normalize("vх1ᚰ23") == normalize("vх123")
    assert normalize("12ᚰ3vх") == normalize("123vх")


def test_whitespace_other_than_single_spaces_still_collapses() -> None:
    assert normalize("Ｘ\u2003y\u00a0z\nж  加") == "x y z ж 加"
    assert normalize(" ＡＢ ") == "ab"


def test_astral_traditional_characters_are_still_simplified() -> None:
    # U+2005E (astral, in the range the quick scan looks for) simplifies to U+2003E.
    assert simplify("中\U0002005e") == "中\U0002003e"
    assert simplify("中\U0001f602 ok") == "中\U0001f602 ok"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ＡＦｚ０９，～\u0307\u0301\u302b\u302aé가\u11a8ᄀ\u1161 xЖ加😂"]),
        max_size=30,
    ).map("".join)
)
def test_full_width_forms_narrowed_first_fold_as_nfkc_of_the_whole_text(text: str) -> None:
    # Ｆ before a combining dot still composes (Ḟ) and ideographic tone marks still reorder.
    expected = unicodedata.normalize("NFKC", text)
    narrowed = text.translate({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
    assert unicodedata.normalize("NFKC", narrowed) == expected
    with_step = _fold_unicode(text)
    normalize_module._FULL_WIDTH = re.compile("(?!)")  # the step off: NFKC alone narrows them
    try:
        assert _fold_unicode(text) == with_step
    finally:
        normalize_module._FULL_WIDTH = FULL_WIDTH
