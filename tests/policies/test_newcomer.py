"""Newcomer policy: no links, media, forwards or cards in a member's first messages or hours."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.events import Kind, Role, Segment
from policies.newcomer import NewcomerOptions, NewcomerPolicy

POLICY = NewcomerPolicy(NewcomerOptions())  # first 5 messages or 24 hours


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
def test_new_members_cannot_post_links_media_forwards_or_cards(
    make_message, make_context, now, text, kinds, segments, symbol, evidence
):
    message = make_message(text, kinds=kinds, segments=segments)
    [verdict] = POLICY.check(message, new_member(make_context, now))
    assert verdict.symbol == symbol
    assert verdict.evidence == evidence
    assert verdict.score >= 5.0  # DEFAULT_THRESHOLDS[DELETE]


def test_plain_text_from_a_new_member_passes(make_message, make_context, now):
    assert POLICY.check(make_message("大家好，请多指教"), new_member(make_context, now)) == []


def test_a_forward_with_a_link_gives_one_verdict(make_message, make_context, now):
    message = make_message(segments=[Segment(Kind.FORWARD, "频道"), Segment(Kind.LINK, "x.cn")])
    [verdict] = POLICY.check(message, new_member(make_context, now))
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
    assert POLICY.check(message, new_member(make_context, now, **kwargs)) == []


def test_each_rule_can_be_switched_off(make_message, make_context, now):
    lenient = NewcomerPolicy(NewcomerOptions(media=False, links=False))
    ctx = new_member(make_context, now)
    assert lenient.check(make_message(kinds=[Kind.IMAGE]), ctx) == []
    assert lenient.check(make_message("https://example.com"), ctx) == []


def test_stickers_are_not_media_by_default(make_message, make_context, now):
    assert POLICY.check(make_message(kinds=[Kind.STICKER]), new_member(make_context, now)) == []
    strict = NewcomerPolicy(NewcomerOptions.model_validate({"media_kinds": ["sticker"]}))
    [verdict] = strict.check(make_message(kinds=[Kind.STICKER]), new_member(make_context, now))
    assert verdict.symbol == "NEWCOMER_MEDIA"
