"""/undo of every kind of action, /log, and the retention purge."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import LogEntry
from bot.verdict import Action
from handlers.moderation.register import purge_expired
from handlers.moderation.training import book_of
from storage.logs import LogRepo
from tests.moderation.conftest import CHAT, MEMBER, START, Harness

AD = "兼职日结，加我薇信 qq88166 详聊"


async def test_undo_of_a_warn_removes_the_warn(harness: Harness) -> None:
    message = await harness.say(MEMBER, "x")
    await harness.command("warn", reply_to=message)
    (entry,) = await harness.entries()
    texts = await harness.command("undo", str(entry.id))
    assert f"#{entry.id} undone: warn removed" in texts[0]
    assert "no active warns" in (await harness.command("warns", reply_to=message))[0]


async def test_undo_of_a_mute_unmutes(harness: Harness) -> None:
    await harness.command("mute", "test:7", "1h")
    (entry,) = await harness.entries()
    await harness.command("undo", f"#{entry.id}")
    assert harness.gateway.of("unmute")[0].args == {"user": "test:7"}


async def test_undo_of_a_ban_and_of_a_kick_unbans(harness: Harness) -> None:
    await harness.command("ban", "test:7")
    await harness.command("kick", "test:8")
    ban, kick = await harness.entries()
    await harness.command("undo", str(ban.id))
    await harness.command("undo", str(kick.id))
    assert [c.args["user"] for c in harness.gateway.of("unban")] == ["test:7", "test:8"]


async def test_undo_of_an_automatic_decision_restores_and_learns_ham(harness: Harness) -> None:
    await harness.say(MEMBER, AD)
    assert harness.calls("delete") == ["delete"]
    (entry,) = await harness.entries()
    assert entry.actor == "auto" and entry.action == Action.WARN
    texts = await harness.command("undo", str(entry.id))
    assert "warn removed" in texts[-1] and "restore: ok" in texts[-1]
    assert "classifier learned ham" in texts[-1]
    restored = [t for t in harness.sent(CHAT) if "restored by a moderator" in t]
    assert restored == [f"Member wrote (restored by a moderator):\n{AD}"]
    assert book_of(harness.services).model(CHAT).ham_examples == 1
    snapshot = await harness.services.snapshots.get(CHAT, MEMBER.id, harness.clock())
    assert snapshot.warns_active == 0


async def test_undo_twice_unknown_id_and_nothing_to_reverse(harness: Harness) -> None:
    await harness.command("ban", "test:7")
    await harness.command("unmute", "test:7")
    ban, unmute = await harness.entries()
    await harness.command("undo", str(ban.id))
    assert "already undone" in (await harness.command("undo", str(ban.id)))[0]
    assert "no log entry #999" in (await harness.command("undo", "999"))[0]
    assert "nothing that can be reversed" in (await harness.command("undo", str(unmute.id)))[0]
    assert "Usage: /undo" in (await harness.command("undo"))[0]
    assert len(harness.gateway.of("unban")) == 1


async def test_undo_is_logged_with_its_actor(harness: Harness) -> None:
    await harness.command("ban", "test:7")
    (ban,) = await harness.entries()
    await harness.command("undo", str(ban.id))
    undo = (await harness.entries())[-1]
    assert undo.reason == f"undo #{ban.id}" and undo.content["command"] == "undo"
    async with harness.services.db.session() as session:
        undone_at, by = await LogRepo(session).undone(ban.id or 0)
    assert undone_at is not None and by == "test:1"


async def test_log_lists_the_latest_entries_with_their_content(harness: Harness) -> None:
    await harness.say(MEMBER, AD)
    await harness.command("kick", "test:8", "go")
    texts = await harness.command("log", "5")
    assert texts[0].startswith("Last 2 log entries:")
    assert "kick test:8" in texts[0] and "薇信" in texts[0]


async def test_retention_purge_drops_only_entries_past_the_configured_age(
        harness: Harness) -> None:
    async with harness.services.db.session() as session:
        repo = LogRepo(session)
        for age in (40, 31, 29, 1):
            await repo.add(LogEntry(CHAT, "test:7", Action.WARN, START - timedelta(days=age)))
    assert harness.services.config.app.log_retention == timedelta(days=30)
    assert await purge_expired(harness.services, START) == 2
    ages = sorted((START - e.created_at).days for e in await harness.entries())
    assert ages == [1, 29]


async def test_undo_of_spam_on_a_voice_message_restores_it_naming_the_media(
        harness: Harness) -> None:
    from bot.events import Kind, Message, Segment

    harness.ids[0] += 1
    voice = Message(CHAT, str(harness.ids[0]), MEMBER, harness.clock(),
                    (Segment(Kind.VOICE, "", {"file_id": "AwVoice"}),))
    await harness.services.dispatcher(voice, harness.gateway)
    await harness.command("spam", reply_to=voice)
    entry = (await harness.entries())[-1]
    assert entry.content["segments"][0]["data"]["file_id"] == "AwVoice"
    await harness.command("undo", str(entry.id))
    assert "Member wrote (restored by a moderator):\n[voice]" in harness.sent(CHAT)
