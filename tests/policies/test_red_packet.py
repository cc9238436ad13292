"""Red-packet policy: every platform's red packets, festival windows in local time, quotas."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.decide import Scoring, decide
from bot.events import Kind, Role, Segment
from bot.verdict import Action
from policies.red_packet import Festival, RedPacketOptions, RedPacketPolicy

SPRING = Festival(name="Spring Festival", start=date(2027, 2, 5), end=date(2027, 2, 12))
IN_FESTIVAL = datetime(2027, 2, 6, 4, 0, tzinfo=UTC)  # noon in Shanghai
POLICY = RedPacketPolicy(
    RedPacketOptions(festivals=(SPRING,), bots=frozenset({"@LuckyMoneyBot"}), member_daily=2,
                     group_hourly=3)
)


def red_packet(make_message, **kwargs):
    return make_message(segments=[Segment(Kind.RED_PACKET, "恭喜发财")], **kwargs)


@pytest.mark.parametrize(
    ("text", "segments", "via_bot", "evidence"),
    [
        ("", [Segment(Kind.RED_PACKET, "恭喜发财")], "", "恭喜发财"),
        ("", [Segment(Kind.RED_PACKET)], "", "red packet"),
        ("新年快乐", [], "luckymoneybot", "via luckymoneybot"),
        ("", [Segment(Kind.BUTTON, "🧧 领取紅包")], "", "🧧 领取紅包"),
        ("", [Segment(Kind.BUTTON, "Claim Lucky Money")], "", "Claim Lucky Money"),
        ("【口令红包】新年快乐", [], "", "口令红包"),
        ("红包口令：恭喜发财", [], "", "红包口令"),
    ],
)
def test_red_packets_outside_festivals_reach_warn(
    make_message, make_context, text, segments, via_bot, evidence
):
    message = make_message(text, segments=segments, via_bot=via_bot)
    [verdict] = POLICY.check(message, make_context())
    assert verdict.symbol == "REDPACKET_OUTSIDE_FESTIVAL"
    assert verdict.score >= 6.0  # DEFAULT_THRESHOLDS[WARN]
    assert verdict.evidence == evidence


@pytest.mark.parametrize(
    ("text", "segments", "via_bot"),
    [
        ("昨天抢红包抢到了五块钱", [], ""),  # talking about red packets is not sending one
        ("", [Segment(Kind.BUTTON, "查看详情")], ""),
        ("hello", [], "someotherbot"),
    ],
)
def test_ordinary_messages_are_not_red_packets(make_message, make_context, text, segments, via_bot):
    message = make_message(text, segments=segments, via_bot=via_bot)
    assert POLICY.check(message, make_context()) == []


def passes(verdicts) -> bool:
    """Let through: nothing, or only the zero-score marker that lets quotas count it."""
    return all(v.symbol == "REDPACKET_ALLOWED" and v.score == 0 for v in verdicts)


def test_red_packet_inside_the_spring_festival_window_passes(make_message, make_context):
    verdicts = POLICY.check(red_packet(make_message), make_context(now=IN_FESTIVAL))
    assert [v.symbol for v in verdicts] == ["REDPACKET_ALLOWED"]
    assert decide(verdicts, Scoring()).action is Action.ALLOW


def test_allowed_telegram_red_packets_are_marked_for_quota_counting(make_message, make_context):
    message = make_message("", via_bot="@LuckyMoneyBot")
    [verdict] = POLICY.check(message, make_context(now=IN_FESTIVAL))
    assert (verdict.symbol, verdict.score, verdict.evidence) == (
        "REDPACKET_ALLOWED", 0.0, "via @LuckyMoneyBot")


def test_festival_window_is_evaluated_in_the_chat_timezone(make_message, make_context):
    # 2027-02-12 17:00 UTC is already 2027-02-13 01:00 in Shanghai: the window has closed.
    late = datetime(2027, 2, 12, 17, 0, tzinfo=UTC)
    [verdict] = POLICY.check(red_packet(make_message), make_context(now=late))
    assert verdict.symbol == "REDPACKET_OUTSIDE_FESTIVAL"
    # ...but in UTC it is still the 12th.
    assert passes(POLICY.check(red_packet(make_message), make_context(now=late, timezone="UTC")))


def test_member_daily_quota_counts_only_today_local(make_message, make_context, make_recent):
    today = [make_recent(3600 * h, kinds=[Kind.RED_PACKET], now=IN_FESTIVAL) for h in (2, 3)]
    ctx = make_context(now=IN_FESTIVAL, recent=today)
    [verdict] = POLICY.check(red_packet(make_message), ctx)
    assert verdict.symbol == "REDPACKET_MEMBER_QUOTA"
    yesterday = [make_recent(3600 * h, kinds=[Kind.RED_PACKET], now=IN_FESTIVAL) for h in (2, 13)]
    assert passes(POLICY.check(red_packet(make_message), make_context(now=IN_FESTIVAL,
                                                                      recent=yesterday)))


def test_group_hourly_quota_counts_everyone(make_message, make_context, make_recent):
    others = [make_recent(60 * m, sender=f"tg:{m}", kinds=[Kind.RED_PACKET], now=IN_FESTIVAL)
              for m in (5, 10, 20)]
    [verdict] = POLICY.check(red_packet(make_message), make_context(now=IN_FESTIVAL,
                                                                    recent=others))
    assert verdict.symbol == "REDPACKET_GROUP_QUOTA"
    older = [make_recent(60 * m, sender=f"tg:{m}", kinds=[Kind.RED_PACKET], now=IN_FESTIVAL)
             for m in (5, 10, 70)]
    assert passes(POLICY.check(red_packet(make_message), make_context(now=IN_FESTIVAL,
                                                                      recent=older)))


def test_staff_are_exempt_unless_configured(make_message, make_context):
    assert POLICY.check(red_packet(make_message), make_context(role=Role.ADMIN)) == []
    strict = RedPacketPolicy(RedPacketOptions(exempt_staff=False))
    [verdict] = strict.check(red_packet(make_message), make_context(role=Role.ADMIN))
    assert verdict.symbol == "REDPACKET_OUTSIDE_FESTIVAL"


def test_festivals_load_from_yaml_shaped_data_and_reject_reversed_dates():
    options = RedPacketOptions.model_validate(
        {"festivals": [{"name": "Mid-Autumn", "start": "2027-09-14", "end": "2027-09-16"}]}
    )
    assert options.festivals[0].start == date(2027, 9, 14)
    with pytest.raises(ValueError, match="before it starts"):
        RedPacketOptions.model_validate(
            {"festivals": [{"name": "x", "start": "2027-09-16", "end": "2027-09-14"}]}
        )


def test_default_options_allow_no_red_packets(make_message, make_context):
    policy = RedPacketPolicy(RedPacketPolicy.Options())
    [verdict] = policy.check(red_packet(make_message), make_context(now=IN_FESTIVAL))
    assert verdict.symbol == "REDPACKET_OUTSIDE_FESTIVAL"
