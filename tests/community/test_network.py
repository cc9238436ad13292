"""Networks: bans shared and logged across the network's groups; points summed across it."""

from __future__ import annotations

from typing import Any

from bot.events import ReplyRef, Sender, direct_chat
from handlers.community.common import get
from handlers.community.invites import invite_all
from handlers.community.network import share_ban
from storage.logs import LogRepo
from storage.members import MemberRepo
from tests.community.conftest import ALICE, BOB, CAROL, CHAT, BotFactory

OTHER, THIRD = "test:-200", "test:-300"
NETWORK = {"networks": {"study": {"chats": [CHAT, OTHER, THIRD], "core_chat": CHAT}}}


async def test_a_ban_in_one_group_applies_and_is_logged_in_all(bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=NETWORK)
    done = await share_ban(get(bot.services), CHAT, ALICE.id, "AD_CONTACT")
    assert done == [OTHER, THIRD]
    assert [(c.chat, c.args["user"]) for c in bot.gateway.of("ban")] == [
        (OTHER, ALICE.id), (THIRD, ALICE.id)]
    async with bot.services.db.session() as session:
        entry = (await LogRepo(session).recent(OTHER, 1))[0]
    assert entry.actor == "network:study" and "from test:-100" in entry.reason


async def test_contributions_are_summed_across_the_network(bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True}}, extra=NETWORK)
    await bot.say(ALICE, "a thoughtful message here")
    await bot.say(ALICE, "another thoughtful message", chat=OTHER)
    await bot.command(BOB, "thanks", chat=THIRD, reply_to=ReplyRef("1", ALICE.id))
    await bot.command(ALICE, "me", chat=OTHER)
    assert bot.last().startswith("Alice: 7 points (rank 1)")


def inviting(link: str = "https://t.me/+core") -> dict[str, Any]:
    return {"networks": {"study": {"chats": [CHAT, OTHER, THIRD], "core_chat": THIRD,
                                   "invite_threshold": 6}},
            "chats": {THIRD: {"features": {"network": {"invite_link": link}}}}}


async def test_members_past_the_network_threshold_are_invited_once_to_the_core_group(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True}}, extra=inviting())
    hub = get(bot.services)
    async with bot.services.db.session() as session:
        await MemberRepo(session).joined(THIRD, Sender(CAROL.id, "Carol"), bot.clock())
    for chat in (CHAT, OTHER):
        await bot.command(BOB, "thanks", chat=chat, reply_to=ReplyRef("1", ALICE.id))
        await bot.command(ALICE, "thanks", chat=chat, reply_to=ReplyRef("1", CAROL.id))
    await bot.say(BOB, "a thoughtful message here")
    assert await invite_all(hub, bot.clock()) == [ALICE.id]  # 5 + 5 across two groups
    invite = bot.gateway.of("send")[-1]
    assert invite.chat == direct_chat(ALICE.id) and "10 points" in invite.args["text"] \
        and "https://t.me/+core" in invite.args["text"]
    # Carol has 10 points too but is already in the core group; Bob has 1
    assert await invite_all(hub, bot.clock()) == []
    again = await bot_factory({"points": {"enabled": True}}, bot.clock, extra=inviting())
    assert await invite_all(get(again.services), bot.clock()) == []  # persisted


async def test_without_a_link_nobody_is_marked_invited(bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True}}, extra=inviting(link=""))
    hub = get(bot.services)
    for chat in (CHAT, OTHER):
        await bot.command(BOB, "thanks", chat=chat, reply_to=ReplyRef("1", ALICE.id))
    assert await invite_all(hub, bot.clock()) == []

    async def create_invite_link(chat: str) -> str:
        return f"https://t.me/+made-for-{chat}"

    bot.gateway.create_invite_link = create_invite_link  # type: ignore[attr-defined]
    assert await invite_all(hub, bot.clock()) == [ALICE.id]
    assert "https://t.me/+made-for-test:-300" in bot.last()


async def test_the_invitation_job_runs_on_the_scheduler(bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True}}, extra=inviting())
    for chat in (CHAT, OTHER):
        await bot.command(BOB, "thanks", chat=chat, reply_to=ReplyRef("1", ALICE.id))
    bot.clock.advance(minutes=5)
    assert "network-invites" in await get(bot.services).scheduler.run_due(bot.clock())
    assert bot.gateway.of("send")[-1].chat == direct_chat(ALICE.id)
