"""Flood policy: rate, consecutive runs, repeats and raids mute; albums count once."""

from __future__ import annotations

import pytest

from bot.events import Kind, Role
from bot.verdict import Action
from policies.flood import FloodOptions, FloodPolicy
from policies.normalize import fingerprint

POLICY = FloodPolicy(FloodOptions())  # 6 in 10 s, runs of 12, 3 repeats, raids of 4 members


def _check(make_message, make_context, recent, text="消息", **kwargs):
    return POLICY.check(make_message(text, **kwargs),
                        make_context(recent=recent, fingerprint=fingerprint(text)))


def test_a_single_message_is_not_a_flood(make_message, make_context):
    assert _check(make_message, make_context, []) == []


def test_seven_messages_in_ten_seconds_mute_for_ten_minutes(make_message, make_context,
                                                            make_recent):
    recent = [make_recent(s, fingerprint=fingerprint(f"第{s}条")) for s in range(6, 0, -1)]
    [verdict] = _check(make_message, make_context, recent)
    assert verdict.symbol == "FLOOD_RATE"
    assert (verdict.force, verdict.mute_seconds) == (Action.MUTE, 600)
    assert verdict.score >= 12.0  # DEFAULT_THRESHOLDS[MUTE]


def test_old_history_does_not_hide_a_fresh_burst(make_message, make_context, make_recent):
    old = [make_recent(3600 + i, sender=f"tg:{i % 5}") for i in range(400, 0, -1)]
    burst = [make_recent(s, fingerprint=fingerprint(f"第{s}条")) for s in range(6, 0, -1)]
    [verdict] = _check(make_message, make_context, old + burst)
    assert verdict.symbol == "FLOOD_RATE"


def test_six_messages_in_ten_seconds_are_fine(make_message, make_context, make_recent):
    recent = [make_recent(s, fingerprint=fingerprint(f"第{s}条")) for s in range(5, 0, -1)]
    assert _check(make_message, make_context, recent) == []


def test_an_album_of_ten_photos_counts_once(make_message, make_context, make_recent):
    album = [make_recent(0.1 * i, kinds=[Kind.IMAGE], album_id="a1") for i in range(9, 0, -1)]
    message = make_message(kinds=[Kind.IMAGE], album_id="a1")
    assert POLICY.check(message, make_context(recent=album)) == []


def test_albums_still_count_as_one_message_each(make_message, make_context, make_recent):
    albums = [make_recent(i, kinds=[Kind.IMAGE], album_id=f"a{i}") for i in range(6, 0, -1)]
    [verdict] = POLICY.check(make_message(kinds=[Kind.IMAGE], album_id="new"),
                             make_context(recent=albums))
    assert verdict.symbol == "FLOOD_RATE"


def test_other_members_messages_do_not_count_towards_the_rate(make_message, make_context,
                                                              make_recent):
    recent = [make_recent(s, sender=f"tg:{s}", fingerprint=fingerprint(f"第{s}条"))
              for s in range(9, 0, -1)]
    assert _check(make_message, make_context, recent) == []


def test_a_long_run_of_consecutive_messages_mutes(make_message, make_context, make_recent):
    recent = [make_recent(20 * s, fingerprint=fingerprint(f"第{s}条")) for s in range(12, 0, -1)]
    [verdict] = _check(make_message, make_context, recent)
    assert verdict.symbol == "FLOOD_RUN"
    assert verdict.evidence == "13 in a row"


@pytest.mark.parametrize("break_at", ["another member", "long pause"])
def test_a_run_broken_by_someone_else_or_a_pause_is_fine(make_message, make_context,
                                                         make_recent, break_at):
    recent = [make_recent(20 * s, fingerprint=fingerprint(f"第{s}条")) for s in range(12, 0, -1)]
    if break_at == "another member":
        recent.insert(6, make_recent(130, sender="tg:9"))
    else:
        recent = [make_recent(20 * s + (600 if s > 6 else 0), fingerprint=fingerprint(f"{s}"))
                  for s in range(12, 0, -1)]
    assert _check(make_message, make_context, recent) == []


def test_the_same_text_a_fourth_time_mutes(make_message, make_context, make_recent):
    text = "快来看我的频道"
    recent = [make_recent(60 * i, fingerprint=fingerprint(text)) for i in (3, 2, 1)]
    [verdict] = _check(make_message, make_context, recent, text="快来看我的频道！！")
    assert verdict.symbol == "FLOOD_REPEAT"
    assert verdict.evidence == "快来看我的频道！！"


def test_the_same_text_from_four_members_is_a_raid(make_message, make_context, make_recent):
    text = "这个群马上要解散了大家快跑"
    recent = [make_recent(5 * i, sender=f"tg:{i}", fingerprint=fingerprint(text))
              for i in (3, 2, 1)]
    [verdict] = _check(make_message, make_context, recent, text=text)
    assert verdict.symbol == "FLOOD_RAID"
    assert verdict.force is Action.MUTE


def test_short_common_replies_from_many_members_are_not_a_raid(make_message, make_context,
                                                               make_recent):
    recent = [make_recent(5 * i, sender=f"tg:{i}", fingerprint=fingerprint("收到"))
              for i in (5, 4, 3, 2, 1)]
    assert _check(make_message, make_context, recent, text="收到") == []


def test_join_traces_are_not_messages(make_message, make_context, make_recent):
    joins = [make_recent(s, kinds=[], fingerprint=f"join:tg:{s}") for s in range(19, 0, -1)]
    assert _check(make_message, make_context, joins) == []


def test_staff_are_exempt(make_message, make_context, make_recent):
    recent = [make_recent(s, fingerprint=fingerprint(f"第{s}条")) for s in range(8, 0, -1)]
    message = make_message("消息", role=Role.ADMIN)
    assert POLICY.check(message, make_context(recent=recent, role=Role.ADMIN)) == []


def test_mute_length_and_limits_are_configurable(make_message, make_context, make_recent):
    policy = FloodPolicy(FloodOptions(max_messages=2, mute_seconds=60))
    recent = [make_recent(s, fingerprint=fingerprint(f"第{s}条")) for s in (1, 2)]
    [verdict] = policy.check(make_message("消息"), make_context(recent=recent))
    assert (verdict.symbol, verdict.mute_seconds) == ("FLOOD_RATE", 60)
