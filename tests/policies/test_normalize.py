"""Behaviour of the text folding every content policy matches against."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.normalize import fingerprint, fold_digits, normalize


@pytest.mark.parametrize(
    ("disguised", "folded"),
    [
        ("ＶＸ：１２３４５", "vx:12345"),  # full-width
        ("𝕊𝕂𝔼597", "ske597"),  # mathematical double-struck
        ("ⓥⓧ①②③", "vx123"),  # circled letters and digits
        ("🅰🅱 ❶❷❸", "ab 123"),  # forms NFKC leaves alone
        ("ᴠx 88", "vx 88"),  # small capitals
    ],
)
def test_decorated_letters_and_digits_fold_to_ascii(disguised: str, folded: str) -> None:
    assert normalize(disguised) == folded


def test_zero_width_and_rune_fillers_are_removed() -> None:
    assert normalize("加\u200b微\u200d信ᚰ") == "加微信"
    assert normalize("░兼░职░") == "兼职"


def test_keycap_digits_lose_their_decoration() -> None:
    assert normalize("1\ufe0f\u20e32\ufe0f\u20e3") == "12"


def test_cyrillic_look_alikes_in_a_latin_token_become_latin() -> None:
    assert normalize("VХ123") == "vx123"  # Cyrillic Х
    assert normalize("wеchat") == "wechat"  # Cyrillic е


def test_pure_cyrillic_words_are_left_alone() -> None:
    assert normalize("Привет всем") == "привет всем"


def test_latin_twins_inside_a_cyrillic_word_become_cyrillic() -> None:
    assert normalize("пpивeт") == "привет"


def test_traditional_chinese_becomes_simplified() -> None:
    assert normalize("請加我的微信號碼") == "请加我的微信号码"


def test_japanese_shinjitai_forms_become_simplified_chinese() -> None:
    assert normalize("黒社会の広告") == "黑社会の广告"


def test_characters_chinese_writes_too_are_not_taken_for_shinjitai() -> None:
    assert normalize("芸芸众生") == "芸芸众生"
    assert normalize("予以") == "予以"


def test_simplifying_twice_changes_nothing_more() -> None:
    for chained in ("薴", "戱"):  # t2s gives a form that t2s or the shinjitai fold change again
        assert normalize(normalize(chained)) == normalize(chained)


def test_combining_marks_between_han_are_removed() -> None:
    assert normalize("加\uabed微\uabed\uabed信") == "加微信"
    assert normalize("兼\u0e34职\u0f7a") == "兼职"


def test_combining_marks_on_a_letter_of_their_own_script_are_kept() -> None:
    assert normalize("กิน") == "กิน"  # Thai vowel sign on a Thai consonant
    assert normalize("ट्रेन") == "ट्रेन"


def test_look_alikes_joined_by_removed_decoration_still_fold() -> None:
    for text in ("α\u200bx", "爆插╬αᚰ"):
        assert normalize(normalize(text)) == normalize(text)
    assert normalize("爆插╬αᚰ") == "爆插a"


def test_long_chinese_numeral_runs_become_digits() -> None:
    assert normalize("加我一三五七九二四六八") == "加我135792468"


def test_formal_and_radio_numerals_become_digits() -> None:
    assert normalize("扣扣 壹贰叁肆伍") == "扣扣 12345"
    assert normalize("幺三洞") == "130"


def test_everyday_words_with_numerals_are_kept() -> None:
    for phrase in ("我们一起去吃饭", "三三两两地走了", "买了两三个苹果", "一五一十地说"):
        assert normalize(phrase) == phrase


def test_separators_and_emoji_between_digits_are_removed() -> None:
    assert normalize("call 138 0013-8000") == "call 13800138000"
    assert normalize("1☎3☎8 00") == "13800"


def test_spaces_between_han_characters_are_removed() -> None:
    assert normalize("加 微 信") == "加微信"


def test_fold_digits_keeps_only_digits() -> None:
    assert fold_digits("① 3 八 hello 0") == "1380"


def test_fingerprint_ignores_disguise_spacing_and_punctuation() -> None:
    assert fingerprint("Buy NOW!!!") == fingerprint("buy   now")
    assert fingerprint("ＢＵＹ now") == fingerprint("buy now")
    assert fingerprint("buy now") != fingerprint("buy later")
    assert fingerprint("!!!") == ""
    assert len(fingerprint("hello")) == 16


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_normalize_is_idempotent_on_any_unicode(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


_NUMERAL_SOUP = st.sampled_from(list("一二三四五六七八九零两壹贰幺洞拐勾 0123456789-.😀起个的a"))
_SCRIPT_SOUP = st.characters(min_codepoint=0x370, max_codepoint=0x52F) | st.sampled_from(
    list("abcehkmopxyABCEHKMOPTXY 1加\u200bᴀ╬\uabed\u0e34ก")
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_NUMERAL_SOUP))
def test_numeral_folding_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_SCRIPT_SOUP))
def test_look_alike_folding_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(max_size=50))
def test_fingerprint_never_crashes_and_is_short(text: str) -> None:
    assert len(fingerprint(text)) in (0, 16)


def test_a_mark_removed_inside_a_look_alike_token_leaves_it_folded() -> None:
    # The combining titlo kept "1Τ҃" Greek in the look-alike pass; once removed, "1τ" folds.
    assert normalize("1Τ\u0483") == "1t"
    assert normalize(normalize("1Τ\u0483")) == "1t"


def test_replacement_characters_are_removed_like_other_decoration() -> None:
    assert normalize("加薇信\ufffd abc12345\ufffc") == "加薇信 abc12345"
