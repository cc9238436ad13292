"""The fast paths of text folding give the same answers as the slow, obvious ones."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.normalize import SCAN_LIMIT, _nfkc, normalize, scanned

DISGUISES = st.sampled_from(list("ＡＢ１２①⑵𝟏𝐀ⓐ㊀ﬁ²é\u0301\u1100\u1161가Ω\u200b，。"))


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=60))
def test_per_character_nfkc_equals_whole_string_nfkc(text: str) -> None:
    assert _nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(DISGUISES, st.characters()), max_size=40).map("".join))
def test_per_character_nfkc_holds_for_compatibility_forms_and_jamo(text: str) -> None:
    assert _nfkc(text) == unicodedata.normalize("NFKC", text)


def test_policies_read_only_the_leading_scan_limit_characters() -> None:
    long = "加我薇信 abc12345 " + "闲聊" * SCAN_LIMIT
    assert len(scanned(long)) == SCAN_LIMIT
    assert scanned("short") == "short"
    assert normalize(scanned(long)).startswith("加我薇信 abc12345")


def test_mixed_script_tokens_after_long_latin_runs_still_fold() -> None:
    assert normalize("a" * 500 + " vх123") == "a" * 500 + " vx123"
