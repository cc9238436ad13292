"""Networks: bans shared and logged across the network's groups; points summed across it."""

from __future__ import annotations

from bot.events import ReplyRef
from handlers.comm_common import get
from handlers.comm_network import share_ban
from storage.logs import LogRepo
from tests.community.conftest import ALICE, BOB, CHAT, BotFactory

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
