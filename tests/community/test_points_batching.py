"""Points are batched: nothing written per message, one row per member, kind and local day per
flush, and daily caps that count pending points, earlier batches and a restarted process."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.events import ChatMigrated
from handlers.community.common import get
from handlers.onboarding.migrate import migrate_chat
from storage.chats import ChatRepo
from storage.contributions import ContributionRepo
from storage.models import ContributionRow
from tests.community.conftest import ALICE, BOB, CHAT, Bot, BotFactory

CAPPED = {"points": {"enabled": True, "daily_caps": {"message": 3}}}


async def rows(bot: Bot) -> list[tuple[str, str, float]]:
    async with bot.services.db.session() as session:
        found = await session.execute(select(ContributionRow.user_id, ContributionRow.kind,
                                             ContributionRow.points).order_by(ContributionRow.id))
        return [(u, k, float(p)) for u, k, p in found.all()]


async def total(bot: Bot, user: str, chat: str = CHAT) -> float:
    async with bot.services.db.session() as session:
        return await ContributionRepo(session).total([chat], user)


async def test_messages_write_nothing_until_a_flush_then_one_row_per_member_and_kind(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True}})
    for n in range(6):
        await bot.say(ALICE, f"a useful message number {n}")
    await bot.say(BOB, "Bob has a useful thought")
    assert await rows(bot) == []
    for flush in bot.services.extras["flushers"]:
        await flush()
    assert await rows(bot) == [(ALICE.id, "message", 6.0), (BOB.id, "message", 1.0)]


async def test_the_daily_cap_counts_pending_and_already_written_points(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAPPED)
    hub = get(bot.services)
    await bot.say(ALICE, "first useful message")
    await bot.say(ALICE, "second useful message")
    await hub.flush_points()
    for n in range(4):
        await bot.say(ALICE, f"more useful messages {n}")
    await hub.flush_points()
    assert await total(bot, ALICE.id) == 3
    assert [p for _, _, p in await rows(bot)] == [2.0, 1.0]


async def test_a_restarted_process_learns_the_days_total_from_storage(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAPPED)
    for n in range(2):
        await bot.say(ALICE, f"before the restart {n}")
    await get(bot.services).flush_points()
    again = await bot_factory(CAPPED, bot.clock)
    for n in range(3):
        await again.say(ALICE, f"after the restart {n}")
    await get(again.services).flush_points()
    assert await total(again, ALICE.id) == 3


async def test_pending_points_keep_their_local_day_across_midnight(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAPPED)
    bot.clock.advance(hours=14, minutes=58)  # 23:58 in Shanghai
    for n in range(3):
        await bot.say(ALICE, f"late night message {n}")
    bot.clock.advance(minutes=3)  # the next local day: a fresh cap, still unflushed
    for n in range(4):
        await bot.say(ALICE, f"early morning message {n}")
    await get(bot.services).flush_points()
    assert [p for _, _, p in await rows(bot)] == [3.0, 3.0]


async def test_the_scheduler_flushes_pending_points_every_minute(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True}})
    await bot.say(ALICE, "a useful message to keep")
    bot.clock.advance(minutes=1)
    assert "points-flush" in await get(bot.services).scheduler.run_due(bot.clock())
    assert await total(bot, ALICE.id) == 1


async def test_pending_points_follow_a_migration_to_the_new_chat_id(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAPPED)
    await bot.say(ALICE, "said before the migration")
    async with bot.services.db.session() as session:
        await ChatRepo(session).upsert(CHAT, at=bot.clock())
    await migrate_chat(bot.services, ChatMigrated(CHAT, "test:-1009", bot.clock()))
    for n in range(4):
        await bot.say(ALICE, f"said after the migration {n}", chat="test:-1009")
    await get(bot.services).flush_points()
    assert await total(bot, ALICE.id, "test:-1009") == 3  # one cap for the day, not two
    async with bot.services.db.session() as session:
        left = await session.execute(select(func.count()).select_from(ContributionRow).where(
            ContributionRow.chat == CHAT))
    assert left.scalar_one() == 0
