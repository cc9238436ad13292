"""The ads policy's contact gate: it only skips texts in which ``find_contacts`` finds nothing."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import ads_contacts
from policies.ads import _CONTACT_WORDS, _may_solicit, literals
from policies.ads_contacts import _PROFILE_WORDS, QQ, WECHAT, find_contacts

#: Every pattern ``find_contacts`` may use, each one guarded in it by a WeChat keyword, a QQ
#: keyword, ten digits in a row or a profile word: what ``ads._may_solicit`` looks for. A new
#: pattern must be checked against the gate (and added here) before this test passes again.
KNOWN_PATTERNS = {
    "_WECHAT_WITH_ID", "_ID_THEN_WECHAT", "_QQ_WITH_ID", "_ASK_WECHAT", "_CN_MOBILE",
    "_LONG_NUMBER", "_CALL_WORDS", "_OFFER_WORDS", "DISGUISED_KEYWORD", "_WECHAT_WORD",
    "_QQ_WORD", "_TEN_DIGITS", "_SEE_PROFILE",
}

PIECES = [
    *(literals(WECHAT) or []), *(literals(QQ) or []), *_PROFILE_WORDS,
    "0", "1", "3", "9", "13912345678", "+86", " ", ".", "com", "点", "：", "号", "加我", "看我",
    "ａ", "１", "abc12345", "电话", "call", "prize", "check my ", "link in ", "我的",
]


def test_the_gate_is_active_and_reads_the_keyword_lists_of_ads_contacts():
    assert _CONTACT_WORDS is not None
    words = literals(WECHAT)
    assert words is not None
    assert all(re.fullmatch(WECHAT, w) for w in words)
    assert literals(QQ) is not None


def test_ads_contacts_has_no_pattern_the_gate_was_not_checked_against():
    patterns = {n for n, v in vars(ads_contacts).items() if isinstance(v, re.Pattern)}
    assert patterns == KNOWN_PATTERNS


def test_a_pattern_that_is_not_a_word_list_turns_the_gate_off():
    assert literals("(?:a|b+)") is None
    assert literals("a|b") is None
    assert literals(r"(?:\+v|qq)") == ["+v", "qq"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_every_text_with_a_contact_finding_passes_the_gate(text):
    if find_contacts(text):
        assert _may_solicit(text)


def test_texts_without_keywords_or_digit_runs_are_ruled_out():
    assert not _may_solicit("今天天气不错，我们一起去公园散步吧。")
    assert not _may_solicit("see you at 10, 123456789 only nine")
    assert _may_solicit("call 1391234567")
