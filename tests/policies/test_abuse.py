"""Abuse policy: insults and personal attacks from word lists, without the usual false positives."""

from __future__ import annotations

import pytest

from bot.events import Kind, Segment
from policies.abuse import AbuseOptions, AbusePolicy, locate

POLICY = AbusePolicy(AbuseOptions())


@pytest.mark.parametrize(
    ("text", "symbol", "evidence"),
    [
        ("这人就是个傻逼", "ABUSE_INSULT", "傻逼"),
        ("傻 逼", "ABUSE_INSULT", "傻 逼"),
        ("傻.逼吧", "ABUSE_INSULT", "傻.逼"),
        ("你個傻逼", "ABUSE_PERSONAL_ATTACK", "傻逼"),  # traditional 個 folded
        ("ＳＢ是傻ｂ", "ABUSE_INSULT", "傻ｂ"),  # full-width b folded
        ("操你妈", "ABUSE_INSULT", "操你妈"),
        ("你是废物", "ABUSE_PERSONAL_ATTACK", "废物"),
        ("你们都是垃圾", "ABUSE_PERSONAL_ATTACK", "垃圾"),
        ("楼上脑残", "ABUSE_PERSONAL_ATTACK", "脑残"),
        ("Fuck you!!", "ABUSE_INSULT", "Fuck you"),
        ("what an ASSHOLE move", "ABUSE_INSULT", "ASSHOLE"),
        ("you idiot", "ABUSE_PERSONAL_ATTACK", "idiot"),
        ("you idiots", "ABUSE_PERSONAL_ATTACK", "idiots"),
        ("assholes everywhere", "ABUSE_INSULT", "assholes"),
        ("you're such a moron", "ABUSE_PERSONAL_ATTACK", "moron"),
        ("ur so stupid lol", "ABUSE_PERSONAL_ATTACK", "stupid"),
    ],
)
def test_insults_reach_warn(make_message, make_context, text, symbol, evidence):
    [verdict] = POLICY.check(make_message(text), make_context())
    assert verdict.symbol == symbol
    assert verdict.score >= 6.0  # DEFAULT_THRESHOLDS[WARN]
    assert verdict.evidence == evidence
    assert evidence not in verdict.reason.zh + verdict.reason.en  # the notice never repeats it


@pytest.mark.parametrize(
    "text",
    [
        "垃圾分类从今天开始执行",
        "这个游戏真垃圾",  # criticism of a thing, not of a person
        "废物利用的小妙招",
        "你看这个垃圾桶放哪里",
        "洗澡前记得去死皮",
        "你滚动一下页面就看到了",
        "this is a stupid bug",
        "your idea is stupid",  # the idea, not the person
        "Scunthorpe United won",  # no match inside a word
        "Cuntsford? no, Bitchfield is not a real town either",
        "牛逼，太厉害了",
    ],
)
def test_ordinary_messages_pass(make_message, make_context, text):
    assert POLICY.check(make_message(text), make_context()) == []


def test_a_bare_soft_term_is_an_attack_only_when_replying(make_message, make_context):
    assert POLICY.check(make_message("智障"), make_context()) == []
    [verdict] = POLICY.check(make_message("智障", reply_to="77"), make_context())
    assert verdict.symbol == "ABUSE_PERSONAL_ATTACK"
    mention = make_message("idiot", segments=[Segment(Kind.MENTION, "@bob")])
    [verdict] = POLICY.check(mention, make_context())
    assert verdict.symbol == "ABUSE_PERSONAL_ATTACK"


def test_extra_terms_and_allow_phrases_extend_the_lists(make_message, make_context):
    policy = AbusePolicy(AbuseOptions(extra_terms=("臭鱼烂虾", "~菜鸡"), allow=("傻逼树",)))
    [verdict] = policy.check(make_message("一群臭鱼烂虾"), make_context())
    assert verdict.symbol == "ABUSE_INSULT"
    assert policy.check(make_message("我是菜鸡"), make_context()) == []
    [verdict] = policy.check(make_message("你个菜鸡"), make_context())
    assert verdict.symbol == "ABUSE_PERSONAL_ATTACK"
    assert policy.check(make_message("公园里的傻逼树"), make_context()) == []


def test_messages_without_text_pass(make_message, make_context):
    assert POLICY.check(make_message(kinds=[Kind.IMAGE]), make_context()) == []


def test_locate_maps_folded_matches_back_to_the_original():
    assert locate("你這個傻　逼！", "傻逼") == "傻　逼"
    assert locate("nothing here", "傻逼") == "傻逼"
