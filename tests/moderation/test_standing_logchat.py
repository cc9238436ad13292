"""Proportion through the whole app: a top contributor's voice notes stop at warn and the log
chat says why; an ordinary member's climb to mute as before."""

from __future__ import annotations

from bot.events import Kind, Message, Segment, Sender
from storage.contributions import ContributionRepo
from tests.moderation.conftest import CHAT, LOG_CHAT, MEMBER, OTHER, START, Harness

RANKED = {MEMBER.id: 300.0, "test:20": 80.0, OTHER.id: 20.0, "test:21": 12.0, "test:22": 4.0}


async def voice(harness: Harness, sender: Sender) -> None:
    harness.ids[0] += 1
    await harness.services.dispatcher(
        Message(CHAT, str(harness.ids[0]), sender, harness.clock(),
                (Segment(Kind.VOICE, "", {"file_id": "v"}),)), harness.gateway)
    harness.clock.advance(minutes=3)


async def test_top_contributor_voice_notes_are_warned_and_the_log_chat_says_why(
        harness: Harness) -> None:
    async with harness.services.db.session() as session:
        repo = ContributionRepo(session)
        for user, points in RANKED.items():
            await repo.add(CHAT, user, "message", points, START)
    for _ in range(4):
        await voice(harness, MEMBER)
        await voice(harness, OTHER)
    mine = [e for e in await harness.entries() if e.user_id == MEMBER.id]
    theirs = [e for e in await harness.entries() if e.user_id == OTHER.id]
    assert max(e.action for e in mine).label == "warn"
    assert {e.action.label for e in theirs} >= {"mute"}
    muted = [c.args["user"] for c in (*harness.gateway.of("mute"), *harness.gateway.of("kick"))]
    assert MEMBER.id not in muted and OTHER.id in muted
    await harness.services.extras["mod_relay"].flush()
    logged = "\n".join(c.args["text"] for c in harness.gateway.of("send") if c.chat == LOG_CHAT)
    assert "kept: top contributor; escalation to mute capped at warn" in logged
    assert "保留：贡献排名前列的成员；本应升级为禁言，已限制为警告" in logged
