"""Business's question test in parts finds a question exactly when the one pattern does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.business import _QUESTION, _is_question

PIECES = st.sampled_from(
    ["how", "when", "is", "any", "anyway", "island", ".", "!", "。", "！", "\n", " ", "  ",
     "吗", "可以", "好", "?", "？", "多少", "x", "do", "does"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=10).map("".join))
def test_is_question_agrees_with_the_question_pattern(text):
    assert _is_question(text) == bool(_QUESTION.search(text))


def test_english_question_words_count_at_the_start_or_after_a_sentence_end():
    assert _is_question("how much")
    assert _is_question("ok. when")
    assert not _is_question("somehow")
    assert not _is_question("it is")
