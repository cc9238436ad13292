"""Shop promotions in the register of commercial SMS: one phrase is weak, distinct phrases add up
to a flag and then a deletion; everyday talk of shops and discounts passes. The examples are
invented for these tests."""

from __future__ import annotations

import pytest

from bot.decide import decide
from bot.verdict import Action
from policies.offers import PROMO_SCORES
from tests.policies.offers_check import SCORING, verdicts


def promotion(text: str) -> float:
    return sum(v.score for v in verdicts(text) if v.symbol == "AD_PROMOTION")


@pytest.mark.parametrize("text", [
    "昨天去那家新开的店吃了，味道一般",
    "双十一打折买了个键盘，手感不错",
    "这个库的文档在哪里？有没有人用过",
    "欢迎新朋友加入本群，有问题尽管问",
    "他们公司在招人吗？我朋友想去",
])
def test_everyday_talk_of_shops_and_discounts_is_no_promotion(text: str) -> None:
    assert promotion(text) == 0.0
    assert decide(verdicts(text), SCORING).action < Action.FLAG


def test_one_promotion_phrase_is_weak() -> None:
    text = "欢迎致电城东搬家公司"
    assert promotion(text) == PROMO_SCORES[1]
    assert decide(verdicts(text), SCORING).action < Action.FLAG


def test_distinct_phrases_add_up_to_a_flag_then_a_deletion() -> None:
    two = "新老顾客注意：本店明天休息"
    three = "感谢新老顾客支持，本店春装全场五折起，先到先得"
    assert promotion(two) == PROMO_SCORES[2]
    assert decide(verdicts(two), SCORING).action == Action.FLAG
    assert promotion(three) == PROMO_SCORES[3]
    assert decide(verdicts(three), SCORING).action >= Action.DELETE


def test_a_phrase_said_twice_counts_once() -> None:
    assert promotion("本店本店本店，欢迎！") == PROMO_SCORES[1]


def test_traditional_script_is_folded_before_matching() -> None:
    assert promotion("感謝新老顧客，本店全場五折起") == PROMO_SCORES[3]


def test_the_evidence_is_the_original_text_near_the_first_phrase() -> None:
    found = [v for v in verdicts("周末大酬宾：全场五折起") if v.symbol == "AD_PROMOTION"]
    assert found and "大酬宾" in found[0].evidence
    assert found[0].reason.zh == "商家促销"


def test_promotions_can_be_switched_off() -> None:
    assert promotion("感谢新老顾客，本店全场五折起") > 0
    off = verdicts("感谢新老顾客，本店全场五折起", promotions=False)
    assert not [v for v in off if v.symbol == "AD_PROMOTION"]
