"""Off-topic's long-head shortcut agrees with measuring the core."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.normalize import normalize
from policies.offtopic import _MAX_CORE, _core_of, _long_core

ALPHABET = st.sampled_from([*"ab09+_ 。，!ßİ😂哈ｆ\u0301", "ﬁ", "Ⅻ", "\u4e00", "\u9fff"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(ALPHABET, max_size=64).map("".join))
def test_long_core_is_the_core_length_test(text):
    folded = normalize(text)
    assert _long_core(folded) == (len(_core_of(folded)) > _MAX_CORE)


def test_twenty_five_plain_characters_make_a_long_core():
    assert _long_core("哈" * 25)
    assert not _long_core("哈" * 24 + "!!")
    assert _long_core("哈" * 24 + "ß")  # case folding makes it two characters
