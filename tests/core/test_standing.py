"""Proportion: top contributors are warned, not muted or removed, for rulebook-only offences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.enforcer import Enforcer
from bot.events import Kind, Message, Segment, Sender
from bot.gateway_fake import RecordingGateway
from bot.i18n import t
from bot.ladder import Ladder
from bot.notifier import Notifier
from bot.ports_fake import MemoryModerationStore, MemoryPendingDeletions
from bot.standing import Standing, capped, rulebook_only, top_members
from bot.verdict import Action, Decision, Verdict

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
CHAT = "test:1"
TOP, ORDINARY = "test:7", "test:8"
VOICE = Verdict("VOICE_REPEATED", 6.0, t("voice note", "语音"), "voice", force=Action.WARN,
                policy="voice")
AD = Verdict("AD_CONTACT_WECHAT", 6.0, t("advertising", "广告"), "加V", policy="ads")
TRUST = Verdict("TRUST_CONTRIBUTOR", -2.0, t("contributor", "贡献者"), policy="trust")
BOARD = [(TOP, 120.0), ("test:9", 40.0), (ORDINARY, 10.0), ("test:10", 3.0), ("test:11", 1.0)]


def test_the_top_tenth_with_ties_and_small_chats() -> None:
    assert top_members([("a", 5.0), ("b", 3.0)]) == frozenset()  # too few to rank
    assert top_members(BOARD) == {TOP}  # under ten ranked members: the top one
    assert top_members([*BOARD, ("test:12", 120.0)]) == {TOP, "test:12"}  # ties stay
    many = [(f"u{i}", float(100 - i)) for i in range(25)] + [("zero", 0.0), ("neg", -4.0)]
    assert top_members(many) == {"u0", "u1", "u2"}  # ceil(25 * 10 %) = 3


def test_rulebook_only_ignores_trust_and_counts_forced_verdicts() -> None:
    assert rulebook_only([VOICE, TRUST])
    assert not rulebook_only([VOICE, AD])
    assert not rulebook_only([TRUST])
    assert capped(Action.KICK, True) is Action.WARN
    assert capped(Action.DELETE, True) is Action.DELETE
    assert capped(Action.MUTE, False) is Action.MUTE


async def test_the_ranking_is_read_once_per_chat_per_ttl() -> None:
    reads: list[str] = []

    async def ranking(chat: str) -> Sequence[tuple[str, float]]:
        reads.append(chat)
        return BOARD

    standing = Standing(ranking, ttl=timedelta(minutes=10))
    for minute in range(9):
        assert await standing.protects(CHAT, TOP, [VOICE], NOW + timedelta(minutes=minute))
        assert not await standing.protects(CHAT, ORDINARY, [VOICE], NOW)
    assert not await standing.protects(CHAT, TOP, [AD], NOW)  # no read: not rulebook-only
    assert reads == [CHAT]
    await standing.protects(CHAT, TOP, [VOICE], NOW + timedelta(minutes=11))
    assert reads == [CHAT, CHAT]


def setup() -> tuple[Enforcer, MemoryModerationStore, RecordingGateway]:
    async def ranking(chat: str) -> Sequence[tuple[str, float]]:
        return BOARD

    store, pending = MemoryModerationStore(), MemoryPendingDeletions()
    gateway = RecordingGateway("test")
    notifier = Notifier(pending, {"test": gateway}, clock=lambda: NOW)
    return Enforcer(store, notifier, standing=Standing(ranking)), store, gateway


def msg(n: int, user: str, kind: Kind = Kind.VOICE) -> Message:
    return Message(CHAT, str(n), Sender(user, f"Member {user}"), NOW + timedelta(minutes=n),
                   (Segment(kind, "" if kind == Kind.VOICE else "加V 123"),))


async def sanctions(user: str, verdict: Verdict, times: int = 4
                    ) -> tuple[list[Action], MemoryModerationStore, RecordingGateway]:
    enforcer, store, gateway = setup()
    kind = Kind.VOICE if verdict is VOICE else Kind.TEXT
    actions = []
    for n in range(times):
        snap = await store.snapshot(CHAT, user, NOW)
        done = await enforcer.enforce(msg(n, user, kind), Decision(Action.WARN, 6.0, (verdict,)),
                                      snap, gateway, ladder=Ladder(), now=NOW, lang="en")
        actions.append(done.action)
    return actions, store, gateway


async def test_top_contributor_posting_voice_notes_is_warned_and_moderators_told_why() -> None:
    actions, store, gateway = await sanctions(TOP, VOICE)
    assert actions == [Action.WARN] * 4
    assert "mute" not in gateway.names() and "kick" not in gateway.names()
    assert [e.action for e in store.entries] == [Action.WARN] * 4
    assert "kept" not in store.entries[0].reason  # the first warn climbs nowhere
    second, third = store.entries[1].reason, store.entries[2].reason
    assert "kept: top contributor; escalation to mute capped at warn" in second
    assert "保留：贡献排名前列的成员；本应升级为禁言，已限制为警告" in second
    assert "escalation to kick capped at warn" in third and "本应升级为移出" in third


async def test_an_ordinary_member_posting_voice_notes_still_escalates() -> None:
    actions, store, _ = await sanctions(ORDINARY, VOICE, times=3)
    assert actions == [Action.WARN, Action.MUTE, Action.KICK]
    assert not any("kept" in e.reason for e in store.entries)


async def test_a_top_contributor_posting_ads_still_escalates() -> None:
    actions, _, gateway = await sanctions(TOP, AD, times=3)
    assert actions == [Action.WARN, Action.MUTE, Action.KICK]
    assert gateway.of("kick")[0].args["user"] == TOP


@pytest.mark.parametrize("user, expected", [(TOP, Action.WARN), (ORDINARY, Action.MUTE)])
async def test_a_rulebook_only_mute_by_score_is_capped_too(user: str, expected: Action) -> None:
    enforcer, store, gateway = setup()
    loud = Verdict("OFFTOPIC_FLOOD_GREETING", 13.0, t("greetings", "问候刷屏"), policy="offtopic")
    done = await enforcer.enforce(msg(1, user, Kind.TEXT), Decision(Action.MUTE, 13.0, (loud,)),
                                  await store.snapshot(CHAT, user, NOW), gateway,
                                  ladder=Ladder(), now=NOW, lang="en")
    assert done.action is expected


async def test_observe_mode_logs_the_cap_as_well() -> None:
    enforcer, store, gateway = setup()
    snap = await store.snapshot(CHAT, TOP, NOW)
    done = await enforcer.enforce(
        msg(1, TOP), Decision(Action.WARN, 6.0, (VOICE,), observe=True),
        type(snap)(TOP, warns_active=1), gateway, ladder=Ladder(), now=NOW, lang="en")
    assert done.observe and done.intended is Action.WARN
    assert store.entries[0].shadow_action is Action.WARN
    assert "escalation to mute capped at warn" in store.entries[0].reason
    assert gateway.calls == []
