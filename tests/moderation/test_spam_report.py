"""/spam (ladder + training), /ham, and /report with its rate limit."""

from __future__ import annotations

from bot.verdict import Action
from handlers.moderation.training import book_of
from tests.moderation.conftest import CHAT, LOG_CHAT, MEMBER, MOD, OTHER, Harness


async def test_spam_deletes_warns_and_teaches_the_classifier(harness: Harness) -> None:
    message = await harness.say(MEMBER, "cheap followers, dm me")
    texts = await harness.command("spam", reply_to=message)
    assert harness.calls("delete", "mute") == ["delete"]
    assert harness.gateway.of("delete")[0].args["message_ids"] == [message.message_id]
    (entry,) = await harness.entries()
    assert (entry.action, entry.actor) == (Action.WARN, MOD.id)
    assert "SPAM_MODERATOR" in entry.symbols
    assert entry.content["segments"][0]["text"] == "cheap followers, dm me"
    assert any("removed as spam" in t for t in texts)
    book = book_of(harness.services)
    assert book.model(CHAT).spam_examples == 1 and book.model("global").spam_examples == 1


async def test_second_spam_from_the_same_member_mutes_per_ladder(harness: Harness) -> None:
    for text in ("buy now", "buy again"):
        await harness.command("spam", reply_to=await harness.say(MEMBER, text))
    assert harness.calls("mute") == ["mute"]
    assert (await harness.entries())[-1].action == Action.MUTE


async def test_spam_needs_a_reply_and_the_delete_right(harness: Harness) -> None:
    assert "Reply /spam" in (await harness.command("spam"))[0]
    texts = await harness.command("spam", sender=MEMBER,
                                  reply_to=await harness.say(OTHER, "hello"))
    assert texts == ["Only moderators can use /spam."]


async def test_ham_teaches_the_classifier_from_a_reply_or_a_log_id(harness: Harness) -> None:
    message = await harness.say(MEMBER, "see you at the meetup tonight")
    assert "normal message" in (await harness.command("ham", reply_to=message))[0]
    await harness.command("kick", "test:8", reply_to=await harness.say(OTHER, "fine words"))
    entry = (await harness.entries())[-1]
    await harness.command("ham", str(entry.id))
    assert book_of(harness.services).model(CHAT).ham_examples == 2


async def test_report_notifies_the_log_chat_and_limits_reporters(harness: Harness) -> None:
    message = await harness.say(OTHER, "shady link")
    texts = [await harness.command("report", sender=MEMBER, reply_to=message)
             for _ in range(4)]
    assert "moderators have been told" in texts[0][0]
    assert "reported a lot recently" in texts[3][0]
    notices = harness.sent(LOG_CHAT)
    assert len(notices) == 3 and "«shady link»" in notices[0]
    assert "Only" not in texts[0][0] and harness.calls("delete") == []
    assert "Reply /report" in (await harness.command("report", sender=MEMBER))[0]



async def test_spam_revokes_the_chats_trust_in_the_sites_the_message_links(
        harness: Harness) -> None:
    from datetime import timedelta

    from bot.events import Sender

    knowledge = harness.services.extras["knowledge"]
    members = [Sender(f"test:{n}", f"Member {n}") for n in (61, 62, 63)]
    month_ago = harness.services.clock() - timedelta(days=30)
    for member in members:  # established: a month in the chat, plenty of messages
        await harness.services.store.touch(CHAT, member, month_ago, 40)
    posts = [await harness.say(m, f"notes for week {n}: https://wiki.example-lab.org/{n}")
             for n, m in enumerate(members)]
    assert "wiki.example-lab.org" in knowledge.trusted(CHAT)
    await harness.command("spam", reply_to=posts[-1])
    assert "wiki.example-lab.org" not in knowledge.trusted(CHAT)
