"""Sanction commands end to end through the dispatcher: targets, durations, ladder, refusals."""

from __future__ import annotations

from datetime import timedelta

from bot.events import Role, Sender
from bot.gateway import Capability
from bot.verdict import Action
from tests.moderation.conftest import CHAT, MEMBER, MOD, OTHER, Harness


async def test_warn_by_reply_is_logged_with_the_moderator_as_actor(harness: Harness) -> None:
    message = await harness.say(MEMBER, "hello")
    texts = await harness.command("warn", "be", "nice", reply_to=message)
    (entry,) = await harness.entries()
    assert (entry.action, entry.actor, entry.user_id) == (Action.WARN, MOD.id, MEMBER.id)
    assert entry.reason == "be nice" and entry.warn_id is not None
    assert entry.content["reply_to"]["text"] == "hello"
    assert "warned (1/3)" in texts[0] and f"#{entry.id}" in texts[0]


async def test_second_warn_climbs_the_ladder_to_a_one_day_mute(harness: Harness) -> None:
    message = await harness.say(MEMBER, "hello")
    await harness.command("warn", reply_to=message)
    texts = await harness.command("warn", reply_to=message)
    (mute,) = harness.gateway.of("mute")
    assert mute.args == {"user": MEMBER.id, "duration": timedelta(days=1)}
    assert (await harness.entries())[-1].action == Action.MUTE
    assert "muted for 1d" in texts[0]


async def test_mute_by_username_with_a_duration(harness: Harness) -> None:
    await harness.say(MEMBER, "hi")
    await harness.services.activity.flush()
    await harness.command("mute", "@Member7", "2h", "flooding")
    (mute,) = harness.gateway.of("mute")
    assert mute.args == {"user": MEMBER.id, "duration": timedelta(hours=2)}
    entry = (await harness.entries())[-1]
    assert entry.until == harness.clock() + timedelta(hours=2) and entry.reason == "flooding"
    assert entry.outcome == "mute: ok"


async def test_mute_by_bare_id_targets_the_chat_platform(harness: Harness) -> None:
    await harness.command("mute", "7", "10m")
    assert harness.gateway.of("mute")[0].args == {"user": "test:7",
                                                  "duration": timedelta(minutes=10)}


async def test_unknown_username_and_missing_target_are_explained(harness: Harness) -> None:
    assert "don't know @ghost" in (await harness.command("kick", "@ghost"))[0]
    assert "Whom?" in (await harness.command("ban"))[0]
    assert harness.calls("kick", "ban") == []


async def test_kick_ban_unban_unmute_call_the_platform_and_are_logged(harness: Harness) -> None:
    await harness.command("kick", "test:7")
    await harness.command("ban", "test:8", "1w", "spam")
    await harness.command("unban", "test:8")
    await harness.command("unmute", "test:7")
    assert harness.calls("kick", "ban", "unban", "unmute") == ["kick", "ban", "unban", "unmute"]
    assert harness.gateway.of("ban")[0].args["duration"] == timedelta(weeks=1)
    entries = await harness.entries()
    assert [e.action for e in entries] == [Action.KICK, Action.BAN, Action.ALLOW, Action.ALLOW]
    assert [e.content["command"] for e in entries] == ["kick", "ban", "unban", "unmute"]
    assert entries[2].outcome == "unban: ok"


async def test_unwarn_warns_and_resetwarns(harness: Harness) -> None:
    message = await harness.say(MEMBER, "x")
    await harness.command("warn", "first", reply_to=message)
    harness.clock.advance(minutes=1)
    listed = await harness.command("warns", reply_to=message)
    assert "1 active warn" in listed[0] and "first" in listed[0]
    assert "removed (0 left)" in (await harness.command("unwarn", reply_to=message))[0]
    assert "no active warns" in (await harness.command("unwarn", reply_to=message))[0]
    await harness.command("warn", reply_to=message)
    assert "1 warn(s) cleared" in (await harness.command("resetwarns", reply_to=message))[0]
    snapshot = await harness.services.snapshots.get(CHAT, MEMBER.id, harness.clock())
    assert snapshot.warns_active == 0


async def test_members_are_refused_moderator_commands(harness: Harness) -> None:
    texts = await harness.command("ban", "test:8", sender=MEMBER)
    assert texts == ["Only moderators can use /ban."]
    assert harness.calls("ban") == [] and await harness.entries() == []


async def test_chinese_alias_works_like_the_english_name(harness: Harness) -> None:
    await harness.command("禁言", "test:7", "10分钟")
    assert harness.gateway.of("mute")[0].args["duration"] == timedelta(minutes=10)


async def test_anonymous_admin_and_yaml_moderator_may_sanction(harness: Harness) -> None:
    anonymous = Sender(CHAT, "Group", is_anonymous_admin=True, is_channel=True)
    await harness.command("kick", "test:7", sender=anonymous)
    services = harness.services
    profile = services.config.default.model_copy(update={"moderators": ["test:9"]})
    services.book.reload(type(services.config)(services.config.app, services.config.source,
                                               profile))
    await harness.command("kick", "test:8", sender=Sender("test:9", "Helper"))
    assert [c.args["user"] for c in harness.gateway.of("kick")] == ["test:7", "test:8"]
    assert [e.actor for e in await harness.entries()] == [CHAT, "test:9"]


async def test_moderators_are_not_sanctioned(harness: Harness) -> None:
    boss = await harness.say(Sender("test:2", "Boss", role=Role.ADMIN), "hi")
    await harness.services.activity.flush()
    harness.services.snapshots.invalidate(CHAT)
    texts = await harness.command("ban", sender=MOD, reply_to=boss)
    assert "is a moderator" in texts[0] and harness.calls("ban") == []


async def test_mute_degrades_to_a_warn_where_the_platform_cannot_mute(harness: Harness) -> None:
    harness.gateway.caps = frozenset({Capability.SEND, Capability.DELETE, Capability.KICK})
    texts = await harness.command("mute", "test:7", "1h")
    entry = (await harness.entries())[-1]
    assert (entry.action, entry.degraded_from) == (Action.WARN, Action.MUTE)
    assert harness.calls("mute") == [] and "cannot mute" in texts[0]


async def test_a_refused_platform_call_is_recorded_and_reported(harness: Harness) -> None:
    harness.gateway.fail["ban"] = "not enough rights to restrict"
    texts = await harness.command("ban", "test:8")
    assert "platform refused: not enough rights" in texts[0]
    assert (await harness.entries())[-1].outcome == "ban: not enough rights to restrict"


async def test_admin_without_the_real_restrict_right_is_refused(harness: Harness) -> None:
    class Rights:
        async def is_admin(self, chat: str, user: str, right: str | None = None) -> bool:
            return right != "can_restrict_members"

    harness.services.extras["telegram"] = Rights()
    admin = Sender("tg:1", "Admin", role=Role.ADMIN)
    texts = await harness.command("ban", "tg:8", sender=admin, chat="tg:-100")
    assert texts == ["只有管理员和协管可以使用 /ban。"] or "Only moderators" in texts[0]
    assert harness.calls("ban") == []
    await harness.command("log", sender=admin, chat="tg:-100")
    assert harness.gateway.of("send")[-1].args["text"] != texts[0]
    assert OTHER.id != admin.id


async def test_a_reply_target_is_logged_in_full_with_media_and_forward_origin(
        harness: Harness) -> None:
    from bot.events import Kind, Message, Segment

    harness.ids[0] += 1
    message = Message(CHAT, str(harness.ids[0]), MEMBER, harness.clock(), (
        Segment(Kind.TEXT, "see my channel"), Segment(Kind.IMAGE, "", {"file_id": "AgPhoto"}),
        Segment(Kind.FORWARD, "Promo", {"origin": "channel", "name": "Promo",
                                        "id": "test:-1005"})))
    await harness.services.dispatcher(message, harness.gateway)
    await harness.command("warn", reply_to=message)
    original = (await harness.entries())[-1].content["original"]
    kinds = [(s["kind"], s["data"].get("file_id") or s["data"].get("name"))
             for s in original["segments"]]
    assert kinds == [("text", None), ("image", "AgPhoto"), ("forward", "Promo")]
    assert original["sender"]["id"] == MEMBER.id
