"""Trust policy: veterans and top contributors get negative scores that never offset forces."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.decide import Scoring, decide
from bot.events import Kind
from bot.verdict import Action
from policies.offtopic import OfftopicOptions, OfftopicPolicy
from policies.trust import TrustOptions, TrustPolicy
from policies.voice import VoiceOptions, VoicePolicy

POLICY = TrustPolicy(TrustOptions())  # 180 days and 500 messages; 1000 points


@pytest.mark.parametrize(
    ("days", "messages", "points", "symbols"),
    [
        (400, 2000, 0, ["TRUST_VETERAN"]),
        (400, 2000, 1500, ["TRUST_VETERAN", "TRUST_TOP_CONTRIBUTOR"]),
        (10, 20, 1000, ["TRUST_TOP_CONTRIBUTOR"]),
        (400, 100, 0, []),  # long ago but quiet
        (30, 5000, 0, []),  # busy but recent
        (None, 5000, 999, []),  # join date unknown, just under the points threshold
    ],
)
def test_trusted_members_get_negative_scores(make_message, make_context, now, days, messages,
                                             points, symbols):
    joined = now - timedelta(days=days) if days is not None else None
    ctx = make_context(joined_at=joined, message_count=messages, points=points)
    verdicts = [v for v in POLICY.check(make_message("hi"), ctx)
                if v.symbol != "TRUST_ESTABLISHED"]
    assert [v.symbol for v in verdicts] == symbols
    assert all(v.score < 0 for v in verdicts)


@pytest.mark.parametrize(
    ("days", "messages", "warns", "established"),
    [
        (30, 80, 0, True),
        (30, 80, 1, False),  # an active warn withdraws the slack
        (5, 80, 0, False),  # too recent
        (30, 10, 0, False),  # too quiet
        (None, 80, 0, False),  # never seen join nor first message
    ],
)
def test_established_members_ad_evidence_weighs_less(make_message, make_context, now, days,
                                                      messages, warns, established):
    from bot.i18n import t
    from bot.verdict import Verdict

    joined = now - timedelta(days=days) if days is not None else None
    ctx = make_context(joined_at=joined, message_count=messages)
    ctx = replace(ctx, member=replace(ctx.member, warns_active=warns))
    found = [v for v in POLICY.check(make_message("hi"), ctx) if v.symbol == "TRUST_ESTABLISHED"]
    assert bool(found) is established
    invite = Verdict("AD_INVITE_LINK", 7.0, t("invite", "邀请"), policy="ads")
    action = decide([invite, *found], Scoring()).action
    assert action is (Action.FLAG if established else Action.WARN)
    if found:
        assert found[0].score == 0.0 and "×0.6" in found[0].reason.en
        overwhelming = [invite, Verdict("SPAM_CLASSIFIER", 8.0, t("s", "s"), policy="c")]
        assert decide([*overwhelming, *found], Scoring()).action >= Action.DELETE


def _veteran(make_context, now, **kwargs):
    return make_context(joined_at=now - timedelta(days=400), message_count=2000, points=1500,
                        **kwargs)


def test_borderline_content_by_a_trusted_member_is_not_removed(make_message, make_context, now):
    offtopic = OfftopicPolicy(OfftopicOptions())
    message, ctx = make_message("666"), _veteran(make_context, now)
    verdicts = offtopic.check(message, ctx) + POLICY.check(message, ctx)
    assert decide(verdicts, Scoring()).action < Action.DELETE
    assert decide(offtopic.check(message, ctx), Scoring()).action is Action.DELETE


def test_trust_never_offsets_a_forced_action(make_message, make_context, now):
    voice = VoicePolicy(VoiceOptions())
    message, ctx = make_message(kinds=[Kind.VOICE]), _veteran(make_context, now)
    decision = decide(voice.check(message, ctx) + POLICY.check(message, ctx), Scoring())
    assert decision.action is Action.DELETE
    assert decision.forced_by == "VOICE_MESSAGE"


def test_thresholds_are_configurable(make_message, make_context, now):
    policy = TrustPolicy(TrustOptions(veteran_days=30, veteran_messages=10,
                                      contributor_points=5))
    ctx = make_context(joined_at=now - timedelta(days=31), message_count=10, points=5)
    assert [v.symbol for v in policy.check(make_message("x"), ctx)] == [
        "TRUST_VETERAN", "TRUST_TOP_CONTRIBUTOR"]
