"""The per-message shortcuts of the small policies (trust texts, plain-text paths)."""

from __future__ import annotations

from datetime import timedelta

from bot.events import Kind, Role, Segment
from policies.flood import RAID, FloodOptions, FloodPolicy
from policies.offtopic import STICKER, OfftopicOptions, OfftopicPolicy
from policies.red_packet import OUTSIDE, RedPacketOptions, RedPacketPolicy
from policies.trust import CONTRIBUTOR, VETERAN, TrustOptions, TrustPolicy
from policies.voice import FIRST, VoiceOptions, VoicePolicy
from tests.policies.conftest import NOW, ContextBuilder, MessageBuilder


def test_trust_verdicts_give_each_member_their_own_days_and_counts(
    make_message: MessageBuilder, make_context: ContextBuilder
) -> None:
    policy = TrustPolicy(TrustOptions(established_factor=1.0))  # the negative scores alone
    message = make_message("hi")
    year = make_context(joined_at=NOW - timedelta(days=365), message_count=500, points=1000.0)
    longer = make_context(joined_at=NOW - timedelta(days=400), message_count=501, points=1500.5)
    for _ in range(2):  # the same policy asked again answers the same
        first, second = policy.check(message, year), policy.check(message, longer)
        assert [v.symbol for v in first] == [VETERAN, CONTRIBUTOR]
        assert first[0].reason.en == "Member for 365 days with 500 messages"
        assert first[0].reason.zh == "入群 365 天，发言 500 条"
        assert first[0].evidence == "365d/500"
        assert second[0].evidence == "400d/501"
        assert second[1].reason.en == "Contribution points: 1500.5"


def test_flood_alone_in_history_still_raids_when_one_member_is_enough(
    make_message: MessageBuilder, make_context: ContextBuilder
) -> None:
    message = make_message("the same long text")
    ctx = make_context(fingerprint="fp")
    assert FloodPolicy(FloodOptions()).check(message, ctx) == []
    lone = FloodPolicy(FloodOptions(raid_members=1)).check(message, ctx)
    assert [v.symbol for v in lone] == [RAID]
    assert FloodPolicy(FloodOptions(raid_members=1)).check(message, make_context()) == []


def test_voice_found_behind_a_text_segment(make_message: MessageBuilder,
                                           make_context: ContextBuilder) -> None:
    policy = VoicePolicy(VoiceOptions())
    assert policy.check(make_message("plain words"), make_context()) == []
    verdicts = policy.check(make_message("caption", kinds=[Kind.VOICE]), make_context())
    assert [v.symbol for v in verdicts] == [FIRST]


def test_offtopic_tells_text_alone_from_text_with_media(make_message: MessageBuilder,
                                                        make_context: ContextBuilder) -> None:
    policy = OfftopicPolicy(OfftopicOptions())
    assert policy.check(make_message("哈哈哈"), make_context()) != []
    assert policy.check(make_message("哈哈哈", kinds=[Kind.IMAGE]), make_context()) == []
    sticker = policy.check(make_message(kinds=[Kind.STICKER]), make_context())
    assert [v.symbol for v in sticker] == [STICKER]


def test_red_packet_segments_still_read_when_text_comes_first(
    make_message: MessageBuilder, make_context: ContextBuilder
) -> None:
    policy = RedPacketPolicy(RedPacketOptions())
    segment = Segment(Kind.RED_PACKET, "恭喜发财")
    with_text = policy.check(make_message("看这里", segments=[segment]), make_context())
    assert [(v.symbol, v.evidence) for v in with_text] == [(OUTSIDE, "恭喜发财")]
    assert policy.check(make_message("今天吃什么"), make_context()) == []
    typed = policy.check(make_message("口令红包：发发发"), make_context())
    assert [(v.symbol, v.evidence) for v in typed] == [(OUTSIDE, "口令红包")]


def test_staff_by_either_role_is_exempt(make_message: MessageBuilder,
                                        make_context: ContextBuilder) -> None:
    text = "口令红包 哈哈哈"
    policy = RedPacketPolicy(RedPacketOptions())
    assert policy.check(make_message(text), make_context()) != []
    assert policy.check(make_message(text, role=Role.MODERATOR), make_context()) == []
    assert policy.check(make_message(text), make_context(role=Role.ADMIN)) == []
    voice = VoicePolicy(VoiceOptions())
    assert voice.check(make_message(kinds=[Kind.VOICE]), make_context()) != []
    assert voice.check(make_message(kinds=[Kind.VOICE], role=Role.MODERATOR),
                       make_context()) == []
    assert voice.check(make_message(kinds=[Kind.VOICE]), make_context(role=Role.ADMIN)) == []
