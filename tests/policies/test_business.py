"""Business policy: personal order/refund/price questions get a staff pointer, no sanction."""

from __future__ import annotations

import pytest

from bot.events import Role
from bot.verdict import Action
from policies.business import BusinessOptions, BusinessPolicy

POLICY = BusinessPolicy(BusinessOptions(staff_contact="@shop_support"))


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("我的订单什么时候发货？", "订单"),
        ("我买的东西怎么还没到货", "到货"),
        ("请问我怎么申请退款", "退款"),
        ("這個多少錢？我想買", "多少錢"),  # traditional folded for matching
        ("单号 2026112212345678 的快递到哪里了", "单号"),  # an order number instead of "I"
        ("When will my order ship?", "my order"),
        ("Can I get a refund for my purchase?", "refund"),
    ],
)
def test_personal_business_questions_get_the_staff_contact(make_message, make_context, text,
                                                           evidence):
    [verdict] = POLICY.check(make_message(text), make_context())
    assert verdict.symbol == "BIZ_PRIVATE_QUESTION"
    assert verdict.score == 0.0
    assert verdict.force is None
    assert verdict.reply is not None
    assert "@shop_support" in verdict.reply.en and "@shop_support" in verdict.reply.zh
    assert verdict.evidence == evidence


@pytest.mark.parametrize(
    "text",
    [
        "订单系统的数据库表怎么设计比较好？",  # a topic word, a question, but not personal
        "我今天发了一篇关于物流行业的文章",  # personal, a topic word, but not a question
        "大家觉得这个价格贵吗",
        "in order to test it, how do I mock the clock?",
        "what is the best sorting order?",
        "我们什么时候开会？",  # question, personal, no business topic
    ],
)
def test_other_messages_get_nothing(make_message, make_context, text):
    assert POLICY.check(make_message(text), make_context()) == []


def test_without_a_contact_the_reply_points_to_the_group_staff(make_message, make_context):
    policy = BusinessPolicy(BusinessPolicy.Options())
    [verdict] = policy.check(make_message("我的快递到哪了？"), make_context())
    assert verdict.reply is not None
    assert "管理员" in verdict.reply.zh and "staff" in verdict.reply.en


def test_staff_asking_get_no_reply(make_message, make_context):
    assert POLICY.check(make_message("我的订单什么时候发货？"), make_context(role=Role.ADMIN)) == []


def test_extra_topics_extend_the_list(make_message, make_context):
    policy = BusinessPolicy(BusinessOptions(extra_topics=("会员卡",)))
    [verdict] = policy.check(make_message("我的会员卡怎么续费？"), make_context())
    assert verdict.evidence == "会员卡"


def test_the_reply_carries_no_sanction_through_decide(make_message, make_context):
    from bot.decide import Scoring, decide

    verdicts = POLICY.check(make_message("我的订单什么时候发货？"), make_context())
    decision = decide(verdicts, Scoring())
    assert decision.action is Action.ALLOW
    assert len(decision.replies) == 1
