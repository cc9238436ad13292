"""The contact gate of ``find_contacts``: it only skips texts in which no pattern finds a thing."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import ads_contacts
from policies.ads_contacts import (
    _NAME_WORDS,
    _PROFILE_WORDS,
    QQ,
    QQ_WORDS,
    WECHAT,
    WECHAT_WORDS,
    _findings,
    find_contacts,
    may_solicit,
)

#: Every pattern ``find_contacts`` may use, each guarded by a WeChat or QQ keyword, ten digits
#: in a row, a profile or name word, or an asked "q" (加q): what ``may_solicit`` looks for. A
#: new pattern must be checked against the gate (and added here) before this test passes again.
KNOWN_PATTERNS = {
    "_WECHAT_WITH_ID", "_ID_THEN_WECHAT", "_QQ_WITH_ID", "_ID_THEN_QQ", "_ASK_WECHAT", "_ASK_QQ",
    "_CN_MOBILE", "_LONG_NUMBER", "_CALL_WORDS", "_OFFER_WORDS", "DISGUISED_KEYWORD",
    "_WECHAT_WORD", "_QQ_WORD", "_TEN_DIGITS", "_SEE_PROFILE", "_SEE_NAME", "_ANY_WORD",
    # Decorated keywords: ``_findings`` undecorates only where ``_DECORATED`` (in the gate) is.
    "_DECORATED", "_LATIN_LETTER", "_SPREAD_ID", "_NOT_ALNUM",
}

PIECES = [
    *WECHAT_WORDS, *QQ_WORDS, *_PROFILE_WORDS, *_NAME_WORDS,
    "0", "1", "3", "9", "13912345678", "+86", " ", ".", "com", "点", "：", "号", "加我", "看我",
    "ａ", "１", "abc12345", "电话", "call", "prize", "check my ", "link in ", "我的", "q", "加",
    "家", "找", "联系", "私信", "12345", "名字", "昵称", "v", "x", "❤", "·", "企", "鹅", "扣",
]


def test_keyword_patterns_match_each_of_their_words_whole() -> None:
    assert all(re.fullmatch(WECHAT, word) for word in WECHAT_WORDS)
    assert all(re.fullmatch(QQ, word) for word in QQ_WORDS)


def test_ads_contacts_has_no_pattern_the_gate_was_not_checked_against() -> None:
    patterns = {n for n, v in vars(ads_contacts).items() if isinstance(v, re.Pattern)}
    assert patterns == KNOWN_PATTERNS


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_every_text_with_a_contact_finding_passes_the_gate(text: str) -> None:
    if _findings(text):
        assert may_solicit(text)
        assert find_contacts(text) == _findings(text)


def test_texts_without_keywords_or_digit_runs_are_ruled_out() -> None:
    assert not may_solicit("今天天气不错，我们一起去公园散步吧。")
    assert not may_solicit("see you at 10, 123456789 only nine")
    assert may_solicit("call 1391234567")
    assert find_contacts("今天天气不错") == []
