"""The log chat ([Undo] [Keep], digests) and appeals from private chat."""

from __future__ import annotations

from bot.events import ButtonPress, Role, Sender
from bot.gateway import Button
from storage.chats import ChatRepo
from tests.moderation.conftest import CHAT, LOG_CHAT, MEMBER, MOD, Harness

AD = "兼职日结，加我薇信 qq88166 详聊"


def log_messages(harness: Harness) -> list[tuple[str, list[Button]]]:
    return [(c.args["text"], c.args["buttons"]) for c in harness.gateway.of("send")
            if c.chat == LOG_CHAT]


async def press(harness: Harness, data: str, user: Sender = MOD,
                chat: str = LOG_CHAT) -> list[str]:
    before = len(harness.gateway.calls)
    await harness.services.dispatcher(ButtonPress(chat, user, harness.clock(), data),
                                      harness.gateway)
    return [c.args["text"] for c in harness.gateway.calls[before:] if c.name == "send"]


async def test_an_automatic_decision_reaches_the_log_chat_with_buttons(harness: Harness) -> None:
    await harness.say(MEMBER, AD)
    (entry,) = await harness.entries()
    ((text, buttons),) = log_messages(harness)
    assert f"#{entry.id}" in text and "薇信" in text and "AD_" in text
    assert [b.data for b in buttons] == [f"undo:{entry.id}", f"keep:{entry.id}"]
    assert [b.label.en for b in buttons] == ["Undo", "Keep"]


async def test_undo_button_by_a_moderator_reverses_a_member_is_refused(harness: Harness) -> None:
    await harness.command("mute", "test:7", "1h")
    (entry,) = await harness.entries()
    refused = await press(harness, f"undo:{entry.id}", user=Sender("test:5", "Nobody"))
    assert "only moderators of test:-100" in refused[0] and harness.calls("unmute") == []
    done = await press(harness, f"undo:{entry.id}")
    assert f"#{entry.id} undone by Mod" in done[0] and harness.calls("unmute") == ["unmute"]
    assert "kept by Mod" in (await press(harness, f"keep:{entry.id}"))[0]


async def test_a_burst_of_decisions_becomes_one_digest(harness: Harness) -> None:
    for user in range(10, 16):
        await harness.command("kick", f"test:{user}")
    assert len(log_messages(harness)) == 3
    assert await harness.services.extras["mod_relay"].flush() == 1
    digest, buttons = log_messages(harness)[-1]
    assert digest.startswith("3 decisions in test:-100:")
    assert [b.data for b in buttons][-1] == "keep:4-6"
    assert [b.data for b in buttons][:3] == ["undo:4", "undo:5", "undo:6"]
    await press(harness, "keep:4-6")
    assert sum("kept by Mod" in t for t in harness.sent(LOG_CHAT)) == 3


async def test_appeal_accepted_lifts_the_sanction_and_tells_the_member(harness: Harness) -> None:
    async with harness.services.db.session() as session:
        await ChatRepo(session).upsert(CHAT, at=harness.clock())
    await harness.command("mute", "test:7", "1d")
    (entry,) = await harness.entries()
    texts = await harness.command("appeal", "I", "was", "joking", sender=MEMBER,
                                  chat=MEMBER.id, private=True)
    assert f"appeal of #{entry.id} was sent" in texts[0]
    appeal, buttons = log_messages(harness)[-1]
    assert "I was joking" in appeal and [b.data for b in buttons] == [
        f"appeal_ok:{entry.id}", f"appeal_no:{entry.id}"]
    again = await harness.command("appeal", sender=MEMBER, chat=MEMBER.id, private=True)
    assert "already appealed" in again[0]
    await press(harness, f"appeal_ok:{entry.id}")
    assert harness.calls("unmute") == ["unmute"]
    assert any("was accepted" in t for t in harness.sent(MEMBER.id))


async def test_appeal_by_id_rejected_keeps_the_sanction(harness: Harness) -> None:
    await harness.command("ban", "test:7")
    (entry,) = await harness.entries()
    await harness.command("appeal", str(entry.id), "sorry", sender=MEMBER, chat=MEMBER.id,
                          private=True)
    await press(harness, f"appeal_no:{entry.id}")
    assert harness.calls("unban") == []
    assert any("was rejected" in t for t in harness.sent(MEMBER.id))


async def test_appeal_without_a_sanction_and_in_a_group(harness: Harness) -> None:
    texts = await harness.command("appeal", sender=MEMBER, chat=MEMBER.id, private=True)
    assert "no sanction against you" in texts[0]
    assert "private chat" in (await harness.command("appeal", sender=MEMBER))[0]



async def test_undo_command_in_the_log_chat_needs_rights_in_the_entry_chat(
        harness: Harness) -> None:
    class Rights:
        async def is_admin(self, chat: str, user: str, right: str | None = None) -> bool:
            return user != "test:5"

    await harness.command("ban", "tg:7", chat="tg:-100")
    (entry,) = await harness.entries("tg:-100")
    harness.services.extras["telegram"] = Rights()
    log_admin = Sender("test:5", "LogOnlyAdmin", role=Role.ADMIN)
    texts = await harness.command("undo", str(entry.id), sender=log_admin, chat=LOG_CHAT)
    assert texts == [f"#{entry.id} is in tg:-100, which you do not moderate."]
    assert harness.calls("unban") == []
    texts = await harness.command("undo", str(entry.id), chat=LOG_CHAT)
    assert f"#{entry.id} undone" in texts[0] and harness.calls("unban") == ["unban"]
