"""Abuse's character gate: it only skips messages in which no Chinese term can occur."""

from __future__ import annotations

import pytest

from policies.abuse import _NONWORD, AbuseOptions, AbusePolicy, _gate, _may_hold, load_terms

ZH_KEYS = [
    _NONWORD.sub("", term.text)
    for term in load_terms("abuse_zh.txt", "abuse_en.txt")
    if not term.text.isascii()
]


@pytest.mark.parametrize("key", ZH_KEYS)
def test_every_shipped_term_passes_the_gate_even_spread_by_punctuation(key):
    gate = _gate(ZH_KEYS)
    assert gate is not None
    assert _may_hold(gate, key)
    assert _may_hold(gate, "前面的话，" + " . ".join(key) + "！后面")


def test_extra_terms_join_the_gate(make_message, make_context):
    policy = AbusePolicy(AbuseOptions(extra_terms=("臭鳜鱼",)))
    [verdict] = policy.check(make_message("这人就是 臭-鳜-鱼"), make_context())
    assert verdict.evidence == "臭-鳜-鱼"


def test_text_without_gate_characters_is_ruled_out():
    gate = _gate(ZH_KEYS)
    assert gate is not None
    assert not _may_hold(gate, "今天天气不错我们一起去公园散步")
