"""The fast paths of text folding give the same answers as the slow, obvious ones."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from policies._unicode import nfkc
from policies.normalize import SCAN_LIMIT, normalize, scanned

DISGUISES = st.sampled_from(
    [
        *"ＡＢ１２①⑵𝟏𝐀ⓐ㊀ﬁ²é\u0301\u1100\u1161가Ω\u200b，。加黑e\u0330\uabed\u0308ｶﾞ\u0334",
        *("\U0001d15e", "\U0001d165", "\U0001e000"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=60))
def test_per_character_nfkc_equals_whole_string_nfkc(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(DISGUISES, st.characters()), max_size=40).map("".join))
def test_per_character_nfkc_holds_for_compatibility_forms_and_jamo(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_policies_read_only_the_leading_scan_limit_characters() -> None:
    long = "加我薇信 abc12345 " + "闲聊" * SCAN_LIMIT
    assert len(scanned(long)) == SCAN_LIMIT
    assert scanned("short") == "short"
    assert normalize(scanned(long)).startswith("加我薇信 abc12345")


def test_mixed_script_tokens_after_long_latin_runs_still_fold() -> None:
    assert normalize("a" * 500 + " vх123") == "a" * 500 + " vx123"


def test_numeral_runs_that_start_with_digits_fold_whole() -> None:
    assert normalize("12三四五") == "12345"
    assert normalize("9" * 300 + " 好 一起") == "9" * 300 + " 好一起"
    assert normalize("电话 138 一二三四 5678") == "电话 13812345678"


def test_only_tokens_where_scripts_meet_change_script() -> None:
    assert normalize("Привет всем vх1 加вх") == "привет всем vx1 加bx"
