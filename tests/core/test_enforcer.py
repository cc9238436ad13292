"""The enforcer: escalation by warns, capability degradation, observe mode, notices."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.enforcer import Enforcer
from bot.events import Kind, Message, Segment, Sender
from bot.gateway import ALL_CAPABILITIES, Capability
from bot.gateway_fake import RecordingGateway
from bot.i18n import t
from bot.ladder import Ladder, degrade
from bot.notifier import Notifier
from bot.policy import MemberSnapshot
from bot.ports_fake import MemoryModerationStore, MemoryPendingDeletions
from bot.verdict import Action, Decision, Verdict

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
AD = Verdict("AD_CONTACT_WECHAT", 6.0, t("advertising", "广告"), "加V", policy="ads")


def msg(n: int) -> Message:
    return Message("test:1", str(n), Sender("test:7", "Spammer"), NOW,
                   (Segment(Kind.TEXT, "加V 123"),))


def setup(caps: frozenset[Capability] = ALL_CAPABILITIES) -> tuple[
        Enforcer, MemoryModerationStore, RecordingGateway, MemoryPendingDeletions]:
    store, pending = MemoryModerationStore(), MemoryPendingDeletions()
    gateway = RecordingGateway("test", caps)
    notifier = Notifier(pending, {"test": gateway}, clock=lambda: NOW)
    return Enforcer(store, notifier), store, gateway, pending


async def test_three_warns_escalate_to_mute_then_kick() -> None:
    enforcer, store, gateway, _ = setup()
    warn = Decision(Action.WARN, 6.0, (AD,))
    actions = []
    for n in range(3):
        snap = await store.snapshot("test:1", "test:7", NOW)
        done = await enforcer.enforce(msg(n), warn, snap, gateway, ladder=Ladder(), now=NOW,
                                      lang="en")
        actions.append(done.action)
    assert actions == [Action.WARN, Action.MUTE, Action.KICK]
    assert gateway.names().count("delete") == 3
    assert gateway.of("mute")[0].args["duration"] == timedelta(days=1)
    assert gateway.of("kick")[0].args["user"] == "test:7"
    assert [e.action for e in store.entries] == [Action.WARN, Action.MUTE, Action.KICK]
    assert store.entries[0].content["segments"][0]["text"] == "加V 123"


async def test_expired_warns_do_not_escalate() -> None:
    enforcer, store, gateway, _ = setup()
    ladder = Ladder(warn_expiry=timedelta(days=30))
    await store.add_warn("test:1", "test:7", reason="old", at=NOW - timedelta(days=40),
                         expires_at=NOW - timedelta(days=10))
    done = await enforcer.enforce(msg(1), Decision(Action.WARN, 6.0, (AD,)),
                                  MemberSnapshot("test:7"), gateway, ladder=ladder, now=NOW,
                                  lang="en")
    assert done.action is Action.WARN and done.warns == 1


async def test_platform_without_mute_or_delete_degrades_and_ends_in_kick() -> None:
    caps = frozenset({Capability.SEND, Capability.KICK})
    enforcer, store, gateway, _ = setup(caps)
    results = []
    for n in range(3):
        done = await enforcer.enforce(msg(n), Decision(Action.WARN, 6.0, (AD,)),
                                      MemberSnapshot("test:7"), gateway, ladder=Ladder(),
                                      now=NOW, lang="en")
        results.append(done.action)
    assert results == [Action.WARN, Action.WARN, Action.KICK]
    assert "delete" not in gateway.names() and "mute" not in gateway.names()
    assert store.entries[1].degraded_from is Action.MUTE
    await enforcer.flush()  # outcomes are written behind, in batches
    assert "degraded mute→warn" in store.entries[1].outcome
    notices = [c.args["text"] for c in gateway.of("send")]
    assert any("cannot mute" in text for text in notices)


def test_degrade_walks_down_the_ladder() -> None:
    assert degrade(Action.BAN, frozenset({Capability.KICK})) is Action.KICK
    assert degrade(Action.MUTE, frozenset()) is Action.WARN
    assert degrade(Action.DELETE, frozenset()) is Action.FLAG


async def test_observe_mode_logs_what_would_happen_and_acts_on_nothing() -> None:
    enforcer, store, gateway, _ = setup()
    done = await enforcer.enforce(msg(1), Decision(Action.WARN, 6.0, (AD,), observe=True),
                                  MemberSnapshot("test:7", warns_active=1), gateway,
                                  ladder=Ladder(), now=NOW, lang="en")
    assert done.observe and done.action is Action.ALLOW and done.intended is Action.MUTE
    assert gateway.calls == []
    assert store.entries[0].observe and store.entries[0].shadow_action is Action.MUTE
    assert store.warns == []


async def test_notices_are_scheduled_for_deletion() -> None:
    enforcer, _, gateway, pending = setup()
    await enforcer.enforce(msg(1), Decision(Action.DELETE, 5.0, (AD,)), MemberSnapshot("test:7"),
                           gateway, ladder=Ladder(), now=NOW, lang="zh-CN")
    sent = gateway.of("send")
    assert len(sent) == 1 and "广告" in sent[0].args["text"]
    assert await pending.next_due() is None  # written behind, off the hot path
    await enforcer.notifier.persist()
    assert await pending.next_due() == NOW + timedelta(seconds=60)


async def test_silent_decisions_delete_without_a_notice() -> None:
    enforcer, _, gateway, _ = setup()
    quiet = Verdict("OFFTOPIC_EMOJI", 5.0, t("filler", "水"), silent=True, policy="offtopic")
    await enforcer.enforce(msg(1), Decision(Action.DELETE, 5.0, (quiet,), silent=True),
                           MemberSnapshot("test:7"), gateway, ladder=Ladder(), now=NOW,
                           lang="en")
    assert gateway.names() == ["delete"]


async def test_informational_replies_are_not_repeated_within_the_cooldown() -> None:
    enforcer, _, gateway, _ = setup()
    biz = Verdict("BIZ_PRIVATE_QUESTION", 0.0, t("business", "业务"),
                  reply=t("ask staff", "请私聊客服"), policy="business")
    decision = Decision(Action.ALLOW, 0.0, (biz,), replies=(biz.reply,))  # type: ignore[arg-type]
    for n in range(3):
        await enforcer.enforce(msg(n), decision, MemberSnapshot("test:7"), gateway,
                               ladder=Ladder(), now=NOW + timedelta(minutes=n), lang="en")
    await enforcer.enforce(msg(9), decision, MemberSnapshot("test:7"), gateway,
                           ladder=Ladder(), now=NOW + timedelta(minutes=30), lang="en")
    assert [c.args["text"] for c in gateway.of("send")] == ["ask staff", "ask staff"]


async def test_shadow_mode_sends_no_informational_replies() -> None:
    enforcer, _, gateway, _ = setup()
    biz = Verdict("BIZ_PRIVATE_QUESTION", 0.0, t("business", "业务"),
                  reply=t("ask staff", "请私聊客服"), policy="business")
    decision = Decision(Action.ALLOW, 0.0, (biz,), replies=(biz.reply,),  # type: ignore[arg-type]
                        observe=True)
    await enforcer.enforce(msg(1), decision, MemberSnapshot("test:7"), gateway,
                           ladder=Ladder(), now=NOW, lang="en")
    assert gateway.calls == []


class SlowOutcomes(MemoryModerationStore):
    """Outcomes that take a few loop turns to store (a batch being written)."""

    async def set_outcomes(self, outcomes: Sequence[tuple[int, str]]) -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        await super().set_outcomes(outcomes)


async def test_a_flush_returns_only_once_outcomes_another_flush_is_writing_are_stored() -> None:
    store = SlowOutcomes()
    gateway = RecordingGateway("test", ALL_CAPABILITIES)
    enforcer = Enforcer(store, Notifier(MemoryPendingDeletions(), {"test": gateway},
                                        clock=lambda: NOW))
    await enforcer.enforce(msg(1), Decision(Action.WARN, 6.0, (AD,)), MemberSnapshot("test:7"),
                           gateway, ladder=Ladder(), now=NOW, lang="en")
    periodic = asyncio.create_task(enforcer.flush())  # e.g. the app's periodic flush
    await asyncio.sleep(0)
    await enforcer.flush()  # e.g. a moderator's command settling the log before reading it
    assert [e.outcome for e in store.entries] == ["delete: ok"]
    await periodic
