"""Voice policy: unauthorised voice is deleted, repeats warn, staff and allowed members pass."""

from __future__ import annotations

import pytest

from bot.events import Kind, Role
from bot.verdict import Action
from policies.voice import VoiceOptions, VoicePolicy

POLICY = VoicePolicy(VoiceOptions(allow_users=frozenset({"tg:7"})))


@pytest.mark.parametrize("kind", [Kind.VOICE, Kind.VIDEO_NOTE, Kind.AUDIO])
def test_first_voice_of_a_member_is_force_deleted(make_message, make_context, kind):
    [verdict] = POLICY.check(make_message(kinds=[kind]), make_context())
    assert verdict.symbol == "VOICE_MESSAGE"
    assert verdict.force is Action.DELETE
    assert verdict.evidence == kind.value
    assert "语音" in verdict.reason.zh and "voice" in verdict.reason.en.lower()


def test_second_voice_in_the_window_warns(make_message, make_context, make_recent):
    recent = [make_recent(600, kinds=[Kind.VOICE])]
    [verdict] = POLICY.check(make_message(kinds=[Kind.VOICE]), make_context(recent=recent))
    assert (verdict.symbol, verdict.force) == ("VOICE_REPEATED", Action.WARN)


@pytest.mark.parametrize(
    ("recent_sender", "seconds_ago", "kinds"),
    [
        ("tg:99", 60, [Kind.VOICE]),  # someone else's voice
        ("tg:42", 7200, [Kind.VOICE]),  # own voice, but outside the one-hour window
        ("tg:42", 60, [Kind.TEXT]),  # own text message
    ],
)
def test_earlier_messages_that_do_not_count_leave_a_plain_delete(
    make_message, make_context, make_recent, recent_sender, seconds_ago, kinds
):
    recent = [make_recent(seconds_ago, sender=recent_sender, kinds=kinds)]
    [verdict] = POLICY.check(make_message(kinds=[Kind.VOICE]), make_context(recent=recent))
    assert verdict.force is Action.DELETE


@pytest.mark.parametrize(
    ("context_kwargs", "message_kwargs"),
    [
        ({"role": Role.ADMIN}, {}),
        ({"role": Role.OWNER}, {}),
        ({"role": Role.MODERATOR}, {}),
        ({}, {"role": Role.ADMIN}),  # platform role on the sender
        ({"voice_allowed": True}, {}),  # granted by an admin command
        ({"user": "tg:7"}, {"sender": "tg:7"}),  # YAML allow-list
    ],
)
def test_authorised_senders_pass(make_message, make_context, context_kwargs, message_kwargs):
    message = make_message(kinds=[Kind.VOICE], **message_kwargs)
    assert POLICY.check(message, make_context(**context_kwargs)) == []


def test_messages_without_voice_pass(make_message, make_context):
    assert POLICY.check(make_message("hello", kinds=[Kind.IMAGE]), make_context()) == []


def test_warn_from_zero_never_warns(make_message, make_context, make_recent):
    policy = VoicePolicy(VoiceOptions(warn_from=0))
    recent = [make_recent(60, kinds=[Kind.VOICE]) for _ in range(3)]
    [verdict] = policy.check(make_message(kinds=[Kind.VOICE]), make_context(recent=recent))
    assert verdict.force is Action.DELETE


def test_kinds_are_configurable_and_typos_fail():
    policy = VoicePolicy(VoiceOptions.model_validate({"kinds": ["voice"]}))
    assert policy.options.kinds == frozenset({Kind.VOICE})
    with pytest.raises(ValueError, match="window"):
        VoiceOptions.model_validate({"window": 60})


def test_default_options_build_the_policy():
    assert VoicePolicy(VoicePolicy.Options()).name == "voice"
    assert set(VoicePolicy.symbols) == {"VOICE_MESSAGE", "VOICE_REPEATED"}
