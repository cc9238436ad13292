"""A moderator's ban in one group of a network applies in every group of it, logged in each."""

from __future__ import annotations

import pytest

from bot.verdict import Action
from tests.moderation.conftest import CHAT, MEMBER, Harness

NETWORK = "\nnetworks:\n  study:\n    chats: ['test:-100', 'test:-200', 'test:-300']\n"


@pytest.mark.parametrize("harness", [NETWORK], indirect=True)
async def test_a_moderators_ban_spreads_across_the_network(harness: Harness) -> None:
    said = await harness.say(MEMBER, "hello")
    await harness.command("ban", "spam", reply_to=said)
    bans = [(c.chat, c.args["user"]) for c in harness.gateway.of("ban")]
    assert sorted(bans) == [(CHAT, MEMBER.id), ("test:-200", MEMBER.id), ("test:-300", MEMBER.id)]
    for other in ("test:-200", "test:-300"):
        [entry] = await harness.entries(other)
        assert entry.action is Action.BAN and entry.actor == "network:study"


async def test_a_ban_outside_any_network_stays_in_its_group(harness: Harness) -> None:
    await harness.say(MEMBER, "hello")
    await harness.command("ban", "@member7")  # found by the username they just spoke with
    assert [c.chat for c in harness.gateway.of("ban")] == [CHAT]
