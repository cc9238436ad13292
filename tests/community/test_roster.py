"""Roster review: weekly inactivity report, notice, removal after the notice period, undo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.events import Role, Sender, direct_chat
from bot.verdict import Action
from handlers.community.common import get
from handlers.moderation.undo import undo
from storage.contributions import ContributionRepo
from storage.logs import LogRepo
from storage.members import MemberRepo
from tests.community.conftest import ALICE, BOB, CAROL, CHAT, START, Bot, BotFactory

DAVE, ERIN, FRANK, GINA = (Sender(f"test:{n}", name) for n, name in
                           ((4, "Dave"), (5, "Erin"), (6, "Frank"), (7, "Gina {x}")))
ROSTER = {"enabled": True, "inactive_days": 30, "report": "weekly mon 10:00", "remove": True,
          "notice": "7d", "grace": "14d"}


def config(roster: dict[str, Any], **chat: Any) -> dict[str, Any]:
    return {"chats": {CHAT: {"moderators": [CAROL.id], "features": {"roster": roster}, **chat}}}


async def seed(bot: Bot) -> None:
    """Alice, Bob (stored moderator), Carol (YAML moderator), Dave (approved), Erin (rejoined
    5 days ago) and Gina have been silent for 40 days; Frank posted 2 days ago."""
    long_ago, silent = START - timedelta(days=60), START - timedelta(days=40)
    async with bot.services.db.session() as session:
        members = MemberRepo(session)
        for who in (ALICE, BOB, CAROL, DAVE, ERIN, FRANK, GINA):
            await members.joined(CHAT, who, long_ago)
            await members.touch(CHAT, who, silent)
        await members.touch(CHAT, FRANK, START - timedelta(days=2))
        await members.joined(CHAT, ERIN, START - timedelta(days=5))  # came back 5 days ago
        await members.set_role(CHAT, BOB.id, Role.MODERATOR)
        await members.set_flags(CHAT, DAVE.id, approved=True)
        await ContributionRepo(session).add(CHAT, ALICE.id, "message", 12, long_ago)


async def tick(bot: Bot, minutes: int = 1) -> None:
    for _ in range(minutes):
        bot.clock.advance(minutes=1)
        await get(bot.services).scheduler.run_due(bot.clock())


async def test_the_weekly_report_lists_inactive_members_with_points_and_who_is_kept(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=config({**ROSTER, "remove": False}))
    await seed(bot)
    await tick(bot, 59)  # Monday 09:59 in Shanghai
    assert bot.texts() == []
    await tick(bot)
    report = bot.last().splitlines()
    assert report[0] == "Roster review of test:-100: 6 member(s) inactive for 30+ days:"
    assert "Alice — last active 2026-01-21 — 12 points" in report
    assert "Bob — last active 2026-01-21 — 0 points (staff, kept)" in report
    assert "Carol — last active 2026-01-21 — 0 points (staff, kept)" in report
    assert "Dave — last active 2026-01-21 — 0 points (approved, kept)" in report
    assert "Erin — last active 2026-01-21 — 0 points (new member, kept)" in report
    assert "Gina {x} — last active 2026-01-21 — 0 points" in report  # braces stay text
    assert not any("Frank" in line for line in report)
    assert [c.chat for c in bot.gateway.of("send")] == [CHAT]
    await tick(bot, 60)
    bot.clock.advance(days=5)
    await tick(bot)
    assert len(bot.texts()) == 1  # weekly: nothing more until next Monday, no removals
    bot.clock.advance(days=2)
    await tick(bot)
    assert len(bot.texts()) == 2 and bot.gateway.of("kick") == []


async def test_reports_go_to_admins_in_private_or_to_the_log_chat(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=config({**ROSTER, "report_to": ["91", "test:92"]},
                                             log_chat="test:-999"))
    await seed(bot)
    await tick(bot, 60)
    reports = [c.chat for c in bot.gateway.of("send") if "Roster review" in c.args["text"]]
    assert reports == ["test:private:91", "test:private:92"]  # admins, in private
    logged = await bot_factory({}, extra=config(ROSTER, log_chat="test:-999"), db="other.db")
    await seed(logged)
    await tick(logged, 60)
    assert [c.chat for c in logged.gateway.of("send")
            if "Roster review" in c.args["text"]] == ["test:-999"]


async def test_inactive_members_are_notified_then_removed_unless_they_post_and_undo_works(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=config(ROSTER))
    await seed(bot)
    await tick(bot, 60)
    assert "Notified now, removed on 2026-03-09 if still inactive: Alice, Gina {x}" in \
        bot.texts()[0]
    notice = bot.gateway.of("send")[1]
    assert notice.chat == CHAT and notice.args["text"].startswith(
        "Alice, Gina {x}: you have not posted here for 30 days. Say something before 2026-03-09")
    privately = {direct_chat(ALICE.id), direct_chat(GINA.id)}
    assert {c.chat for c in bot.gateway.of("send")[2:]} == privately
    bot.clock.advance(days=3)
    await bot.say(GINA, "Sorry, I was travelling — back now!")
    bot.clock.advance(days=4, minutes=-2)  # Monday 09:58
    await tick(bot)
    assert bot.gateway.of("kick") == []  # the notice period has not run out yet
    await tick(bot, 2)
    assert [c.args["user"] for c in bot.gateway.of("kick")] == [ALICE.id]
    async with bot.services.db.session() as session:
        entry = (await LogRepo(session).recent(CHAT, 1))[0]
        alice = await MemberRepo(session).get(CHAT, ALICE.id)
    assert (entry.actor, entry.action, entry.user_id) == ("roster", Action.KICK, ALICE.id)
    assert alice is not None and not alice.present
    assert f"Alice #{entry.id}" in bot.last() and "/undo ID" in bot.last()
    assert entry.id is not None
    done = await undo(bot.services, bot.gateway, entry.id, CAROL.id)
    assert done.problem == "" and "unban: ok" in "; ".join(done.steps)
    assert [c.args["user"] for c in bot.gateway.of("unban")] == [ALICE.id]


async def test_a_member_promoted_or_approved_during_the_notice_is_not_removed(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=config(ROSTER))
    await seed(bot)
    await tick(bot, 60)
    async with bot.services.db.session() as session:
        await MemberRepo(session).set_flags(CHAT, ALICE.id, approved=True)
        await MemberRepo(session).set_role(CHAT, GINA.id, Role.ADMIN)
    bot.clock.advance(days=8)
    await tick(bot)
    assert bot.gateway.of("kick") == []
    assert await notices_left(bot) == {}


async def notices_left(bot: Bot) -> dict[str, Any]:
    from storage.state import StateRepo

    async with bot.services.db.session() as session:
        value = await StateRepo(session).get(CHAT, "roster:notices")
    users: dict[str, Any] = value.get("users", {})
    return users
