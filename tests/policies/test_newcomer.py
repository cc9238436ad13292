"""Newcomer policy: a new member's ad evidence weighs more; strict bans are opt-in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.decide import Scoring, decide
from bot.events import Kind, Role, Segment
from bot.i18n import t
from bot.verdict import Action, Verdict
from policies.newcomer import UNPROVEN, NewcomerOptions, NewcomerPolicy

POLICY = NewcomerPolicy(NewcomerOptions())  # first 5 messages or 24 hours; no bans
STRICT = NewcomerPolicy(NewcomerOptions(links=True, media=True, forwards=True, cards=True,
                                        suspicion=1.0))


def symbols(verdicts):
    return [v.symbol for v in verdicts]


def new_member(make_context, now, **kwargs):
    kwargs.setdefault("joined_at", now - timedelta(hours=1))
    kwargs.setdefault("message_count", 2)
    return make_context(**kwargs)


@pytest.mark.parametrize(
    ("text", "kinds", "segments", "symbol", "evidence"),
    [
        ("看看", [], [Segment(Kind.LINK, "https://t.me/x", {"host": "t.me"})], "NEWCOMER_LINK",
         "https://t.me/x"),
        ("上 www.example.cn 看看", [], [], "NEWCOMER_LINK", "www.example.cn"),
        ("", [Kind.IMAGE], [], "NEWCOMER_MEDIA", "image"),
        ("", [Kind.VIDEO, Kind.FILE], [], "NEWCOMER_MEDIA", "file,video"),
        ("", [], [Segment(Kind.FORWARD, "", {"origin": "channel"})], "NEWCOMER_FORWARD",
         "channel"),
        ("", [], [Segment(Kind.CARD, "小程序：优惠券")], "NEWCOMER_CARD", "小程序：优惠券"),
        ("", [Kind.CONTACT], [], "NEWCOMER_CARD", "contact"),
    ],
)
def test_a_strict_chat_bans_newcomers_links_media_forwards_and_cards(
    make_message, make_context, now, text, kinds, segments, symbol, evidence
):
    message = make_message(text, kinds=kinds, segments=segments)
    [verdict] = STRICT.check(message, new_member(make_context, now))
    assert verdict.symbol == symbol
    assert verdict.evidence == evidence
    assert verdict.score >= 5.0  # DEFAULT_THRESHOLDS[DELETE]


@pytest.mark.parametrize(
    ("text", "kinds", "segments"),
    [
        ("装好了但是报这个错，怎么办？", [Kind.IMAGE], []),  # a question with a screenshot
        ("看这个文档", [], [Segment(Kind.LINK, "https://docs.python.org/3/", {})]),
        ("", [], [Segment(Kind.FORWARD, "", {"origin": "user"})]),
        ("大家好，请多指教", [], []),
    ],
)
def test_by_default_being_new_is_no_evidence_and_never_deletes(
    make_message, make_context, now, text, kinds, segments
):
    message = make_message(text, kinds=kinds, segments=segments)
    verdicts = POLICY.check(message, new_member(make_context, now))
    assert symbols(verdicts) == [UNPROVEN]
    assert verdicts[0].score == 0.0
    assert decide(verdicts, Scoring()).action is Action.ALLOW


def _ad(score: float) -> Verdict:
    return Verdict("AD_LINK", score, t("link", "链接"), policy="ads")


def test_a_newcomers_ad_evidence_weighs_more_but_abuse_and_rulebook_do_not(
    make_message, make_context, now
):
    [unproven] = POLICY.check(make_message("hi"), new_member(make_context, now))
    weak_link = _ad(3.0)  # flags alone
    assert decide([weak_link], Scoring()).action is Action.FLAG
    amplified = decide([weak_link, unproven], Scoring())
    assert amplified.score == pytest.approx(4.5)
    voice = Verdict("VOICE_MESSAGE", 3.0, t("voice", "语音"), policy="voice")
    assert decide([voice, unproven], Scoring()).score == pytest.approx(3.0)
    assert "×1.5" in unproven.reason.en and "×1.5" in unproven.reason.zh


def test_a_forward_with_a_link_gives_one_strict_verdict(make_message, make_context, now):
    message = make_message(segments=[Segment(Kind.FORWARD, "频道"), Segment(Kind.LINK, "x.cn")])
    [verdict] = STRICT.check(message, new_member(make_context, now))
    assert verdict.symbol == "NEWCOMER_FORWARD"


@pytest.mark.parametrize(
    ("message_count", "hours_ago", "is_new"),
    [
        (2, 100, True),  # few messages, joined long ago
        (50, 2, True),  # many messages, joined recently
        (50, 100, False),  # established
        (5, 25, False),  # exactly the limit, past the hours
    ],
)
def test_newness_is_by_message_count_or_hours(make_context, now, message_count, hours_ago,
                                              is_new):
    ctx = make_context(message_count=message_count, joined_at=now - timedelta(hours=hours_ago))
    assert POLICY.is_new(ctx) is is_new


def test_first_seen_stands_in_for_an_unknown_join_date(make_context, now):
    ctx = make_context(message_count=50, first_seen=now - timedelta(hours=3))
    assert POLICY.is_new(ctx)
    assert not POLICY.is_new(make_context(message_count=50))


@pytest.mark.parametrize("kwargs", [{"approved": True}, {"role": Role.MODERATOR}])
def test_approved_members_and_staff_are_never_new(make_message, make_context, now, kwargs):
    message = make_message(kinds=[Kind.IMAGE])
    assert STRICT.check(message, new_member(make_context, now, **kwargs)) == []
    assert POLICY.check(message, new_member(make_context, now, **kwargs)) == []


def test_each_strict_rule_is_its_own_switch(make_message, make_context, now):
    media_only = NewcomerPolicy(NewcomerOptions(media=True, suspicion=1.0))
    ctx = new_member(make_context, now)
    assert symbols(media_only.check(make_message(kinds=[Kind.IMAGE]), ctx)) == ["NEWCOMER_MEDIA"]
    assert media_only.check(make_message("https://example.com"), ctx) == []


def test_stickers_are_not_media_by_default(make_message, make_context, now):
    assert STRICT.check(make_message(kinds=[Kind.STICKER]), new_member(make_context, now)) == []
    strict = NewcomerPolicy(NewcomerOptions.model_validate({"media": True, "suspicion": 1.0,
                                                            "media_kinds": ["sticker"]}))
    [verdict] = strict.check(make_message(kinds=[Kind.STICKER]), new_member(make_context, now))
    assert verdict.symbol == "NEWCOMER_MEDIA"
