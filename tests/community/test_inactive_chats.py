"""Scheduled jobs skip chats the bot left and follow a group → supergroup migration."""

from __future__ import annotations

from typing import Any

from bot.events import ChatMigrated
from handlers.community.common import get
from handlers.onboarding.migrate import migrate_chat
from storage.chats import ChatRepo
from tests.community.conftest import ALICE, CHAT, Bot, BotFactory

POSTS = {"schedule": {"posts": [{"schedule": "*/30 * * * *", "text": "半点提醒"}]}}
NEW = "test:-1009"


def in_chat(features: dict[str, Any]) -> dict[str, Any]:
    return {"chats": {CHAT: {"features": features}}}


async def tick(bot: Bot, minutes: int) -> None:
    for _ in range(minutes):
        bot.clock.advance(minutes=1)
        await get(bot.services).scheduler.run_due(bot.clock())


async def test_a_chat_marked_inactive_by_membership_gets_no_scheduled_posts(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=in_chat(POSTS))
    bot.services.extras.setdefault("inactive_chats", set()).add(CHAT)
    await tick(bot, 30)
    assert bot.texts() == []
    bot.services.extras["inactive_chats"].discard(CHAT)
    await tick(bot, 30)
    assert bot.texts() == ["半点提醒"]


async def test_a_chat_stored_as_inactive_is_skipped_by_the_jobs(bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=in_chat(POSTS))
    async with bot.services.db.session() as session:
        await ChatRepo(session).upsert(CHAT, at=bot.clock(), active=False)
    assert CHAT not in await get(bot.services).chats()
    await tick(bot, 30)
    assert bot.texts() == []


async def test_after_a_migration_jobs_use_the_new_id_and_never_the_old(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=in_chat({**POSTS, "duty": {
        "enabled": True, "at": "09:10", "roster": [ALICE.id], "remind_private": False}}))
    hub = get(bot.services)
    hub.remember(CHAT, ALICE)
    async with bot.services.db.session() as session:
        await ChatRepo(session).upsert(CHAT, at=bot.clock())
    await migrate_chat(bot.services, ChatMigrated(CHAT, NEW, bot.clock()))
    assert await hub.chats() == [NEW]
    assert hub.seen == {(NEW, ALICE.id): "Alice"}
    await tick(bot, 30)
    assert {c.chat for c in bot.gateway.of("send")} == {NEW}
    assert bot.texts() == ["Today's host is Alice. Thank you for looking after the group!",
                           "半点提醒"]


async def test_a_network_listed_under_the_old_id_follows_the_migration(
        bot_factory: BotFactory) -> None:
    other = "test:-200"
    bot = await bot_factory({}, extra={"networks": {"study": {"chats": [CHAT, other]}}})
    async with bot.services.db.session() as session:
        await ChatRepo(session).upsert(CHAT, at=bot.clock())
    await migrate_chat(bot.services, ChatMigrated(CHAT, NEW, bot.clock()))
    hub = get(bot.services)
    assert hub.network_chats(other) == [NEW, other]
    bot.services.extras["inactive_chats"].add(other)
    assert await bot.services.extras["network_ban"](NEW, ALICE.id, "spam") == []
