"""Repetition policy: a long text posted again and again is promotion; twice is only weak."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.events import Role
from bot.policy import Repetition
from policies.repetition import RepetitionOptions, RepetitionPolicy
from tests.policies.conftest import ContextBuilder, MessageBuilder

POLICY = RepetitionPolicy(RepetitionOptions())
TEXT = "x" * 80


@pytest.mark.parametrize(("seen", "expected"), [
    (Repetition(), []),
    (Repetition(by_sender=1, sender_days=1), ["AD_REPEATED_TEXT"]),  # asked again next day
    (Repetition(by_sender=3, sender_days=0), ["AD_REPEATED_TEXT"]),  # 4 times today: flood's
    (Repetition(by_sender=2, sender_days=2), ["AD_REPEATED_BY_SENDER"]),
    (Repetition(by_others=1), ["AD_REPEATED_TEXT"]),
    (Repetition(by_others=2), ["AD_REPEATED_ACROSS_MEMBERS"]),
    (Repetition(chats=1), ["AD_REPEATED_TEXT"]),
    (Repetition(by_sender=2, chats=2), ["AD_REPEATED_ACROSS_CHATS"]),
    (Repetition(by_sender=3, sender_days=2, by_others=2),
     ["AD_REPEATED_BY_SENDER", "AD_REPEATED_ACROSS_MEMBERS"]),
])
def test_three_days_three_members_or_three_chats_are_strong_anything_less_weak(
        seen: Repetition, expected: list[str], make_message: MessageBuilder,
        make_context: ContextBuilder) -> None:
    ctx = replace(make_context(), repetition=seen)
    verdicts = POLICY.check(make_message(TEXT), ctx)
    assert [v.symbol for v in verdicts] == expected
    strong = {"AD_REPEATED_TEXT": 1.5}
    assert all(v.score == strong.get(v.symbol, 5.0) for v in verdicts)
    assert not any(v.escalates for v in verdicts)  # a repeat deletes, never warns alone


def test_the_reason_says_how_often_and_over_how_many_days(
        make_message: MessageBuilder, make_context: ContextBuilder) -> None:
    ctx = replace(make_context(), repetition=Repetition(by_sender=3, sender_days=2))
    (verdict,) = POLICY.check(make_message(TEXT), ctx)
    assert verdict.reason.en == "the same long text posted 4 times over 3 days"
    assert verdict.reason.zh == "同一段长文 3 天内发了 4 次"


def test_staff_are_exempt(make_message: MessageBuilder, make_context: ContextBuilder) -> None:
    ctx = replace(make_context(), repetition=Repetition(by_sender=5, sender_days=4))
    assert POLICY.check(make_message(TEXT, role=Role.ADMIN), ctx) == []


def test_options_reject_typos_and_thresholds_below_two() -> None:
    with pytest.raises(ValueError, match="sender_dayz"):
        RepetitionOptions.model_validate({"sender_dayz": 3})
    with pytest.raises(ValueError):
        RepetitionOptions(members=1)
