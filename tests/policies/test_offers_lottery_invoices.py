"""Mark Six tip sheets and invoice selling: their jargon adds up to a deletion, one word of it
stays weak or only flags, and everyday talk of lotteries and invoices passes. The examples are
invented for these tests."""

from __future__ import annotations

import pytest

from bot.decide import decide
from bot.verdict import Action
from policies.offers import INVOICE_SCORES, LOTTERY_SCORES
from tests.policies.offers_check import SCORING, verdicts


def score_of(symbol: str, text: str) -> float:
    return sum(v.score for v in verdicts(text) if v.symbol == symbol)


@pytest.mark.parametrize("text", [
    "昨晚买了两注彩票，又没中，哈哈",
    "这期双色球开奖了吗？",
    "报销要发票，记得让店家开一下",
    "以下注意事项请大家务必中午前看完",
    "这家店的水平特别高，我的心水之选",
])
def test_everyday_talk_of_lotteries_and_invoices_passes(text: str) -> None:
    assert decide(verdicts(text), SCORING).action < Action.FLAG


def test_one_tip_word_is_weak() -> None:
    text = "本期六肖大家参考一下"
    assert score_of("AD_LOTTERY_TIP", text) == LOTTERY_SCORES[1]
    assert decide(verdicts(text), SCORING).action < Action.FLAG


def test_a_tip_sheet_with_several_jargon_words_is_deleted() -> None:
    text = "上期四肖全中！本期平码推荐，三中三稳了，主红防蓝"
    assert score_of("AD_LOTTERY_TIP", text) == LOTTERY_SCORES[3]
    assert decide(verdicts(text), SCORING).action >= Action.DELETE


def test_one_invoice_phrase_only_flags() -> None:
    text = "请问你们可以开正规发票吗"
    assert score_of("AD_INVOICE_OFFER", text) == INVOICE_SCORES[1]
    assert decide(verdicts(text), SCORING).action == Action.FLAG


def test_an_invoice_sellers_pitch_is_deleted() -> None:
    text = "本公司长期代开各类正规发票，税点低，欢迎来电"
    assert score_of("AD_INVOICE_OFFER", text) == INVOICE_SCORES[3]
    assert decide(verdicts(text), SCORING).action >= Action.DELETE


def test_the_traditional_script_is_folded_before_matching() -> None:
    assert score_of("AD_INVOICE_OFFER", "代開發票，稅點低") == INVOICE_SCORES[2]


def test_each_family_can_be_switched_off() -> None:
    tips = "上期四肖全中！本期平码推荐，三中三稳了"
    invoice = "本公司长期代开各类正规发票，税点低"
    assert not [v for v in verdicts(tips, lottery_tips=False) if v.symbol == "AD_LOTTERY_TIP"]
    assert not [v for v in verdicts(invoice, invoices=False) if v.symbol == "AD_INVOICE_OFFER"]
