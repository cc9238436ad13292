"""Check-in: once per local day, streaks across the chat's day boundaries, milestones."""

from __future__ import annotations

from pathlib import Path

from tests.community.conftest import (
    ALICE,
    BOB,
    CAROL,
    Bot,
    BotFactory,
    Clock,
    make_bot,
    write_config,
)

ON = {"checkin": {"enabled": True}}


async def test_second_checkin_the_same_local_day_is_answered_not_counted(
        bot_factory: BotFactory) -> None:
    bot: Bot = await bot_factory(ON)
    await bot.command(ALICE, "checkin")
    assert "1 day(s) in a row" in bot.last()
    bot.clock.advance(hours=10)  # 19:00 Shanghai, same day
    await bot.command(ALICE, "打卡")
    assert "already checked in today (1 day(s)" in bot.last()
    bot.clock.advance(hours=6)  # 01:00 Shanghai, next day (still the same UTC day: 17:00)
    await bot.command(ALICE, "签到")
    assert "2 day(s) in a row (best 2)" in bot.last()


async def test_the_day_boundary_is_midnight_in_the_chats_timezone(
        bot_factory: BotFactory) -> None:
    clock = Clock()
    clock.now = clock.now.replace(hour=15, minute=50)  # 23:50 in Shanghai
    bot = await bot_factory(ON, clock)
    await bot.command(ALICE, "checkin")
    clock.advance(minutes=20)  # 00:10 in Shanghai: a new local day, 20 minutes later
    await bot.command(ALICE, "checkin")
    assert "2 day(s) in a row" in bot.last()


async def test_a_missed_day_breaks_the_streak_but_keeps_the_best(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    for _ in range(3):
        await bot.command(ALICE, "checkin")
        bot.clock.advance(days=1)
    bot.clock.advance(days=1)  # skipped a day
    await bot.command(ALICE, "checkin")
    assert "1 day(s) in a row (best 3)" in bot.last()


async def test_milestones_and_the_challenge_are_announced_on_their_day(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({"checkin": {"enabled": True, "challenge_days": 5,
                                         "milestones": [2, 4]}})
    seen: dict[int, str] = {}
    for day in range(1, 7):
        await bot.command(BOB, "checkin")
        seen[day] = bot.last()
        bot.clock.advance(days=1)
    assert "reached 2 days in a row" in seen[2]
    assert "reached 4 days in a row" in seen[4]
    assert "completed the 5-day challenge" in seen[5]
    assert all("reached" not in seen[d] and "challenge!" not in seen[d] for d in (1, 3, 6))
    assert "Challenge 3/5" in seen[3] and "Challenge 5/5" in seen[6]


async def test_the_default_challenge_is_21_days_with_milestones_7_14_21(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    announced: list[int] = []
    for day in range(1, 22):
        await bot.command(CAROL, "checkin")
        if "reached" in bot.last() or "challenge!" in bot.last():
            announced.append(day)
        bot.clock.advance(days=1)
    assert announced == [7, 14, 21]
    assert "completed the 21-day challenge" in bot.last()


async def test_plain_words_check_in_when_enabled(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    message_id = await bot.say(ALICE, "打卡")
    send = bot.gateway.of("send")[-1]
    assert "checked in" in send.args["text"] and send.args["reply_to"] == message_id
    await bot.say(ALICE, "打卡 today")  # not the bare word: an ordinary message
    assert len(bot.gateway.of("send")) == 1


async def test_plain_words_are_ignored_when_disabled(bot_factory: BotFactory) -> None:
    bot = await bot_factory({"checkin": {"enabled": True, "plain_words": False}})
    await bot.say(ALICE, "签到")
    assert bot.gateway.of("send") == []


async def test_checkin_is_refused_where_not_enabled(bot_factory: BotFactory) -> None:
    bot = await bot_factory({})
    await bot.command(ALICE, "checkin")
    assert "not enabled" in bot.last()


async def test_streaks_leaderboard_orders_by_current_streak(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    await bot.command(ALICE, "checkin")
    bot.clock.advance(days=1)
    await bot.command(ALICE, "checkin")
    await bot.command(BOB, "checkin")
    await bot.command(CAROL, "streaks")
    board = bot.last().splitlines()
    assert board[1].startswith("1. Alice — 2 day(s)")
    assert board[2].startswith("2. Bob — 1 day(s)")


async def test_replies_are_auto_deleted_unless_the_yaml_says_keep(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    await bot.command(ALICE, "checkin")
    kept = await bot_factory({"checkin": {"enabled": True, "keep": True}}, db="kept.db")
    await kept.command(ALICE, "checkin")
    bot.clock.advance(hours=1)
    kept.clock.advance(hours=1)
    assert await bot.services.notifier.flush_due() == 1
    assert await kept.services.notifier.flush_due() == 0


async def test_streaks_survive_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    first = await make_bot(write_config(tmp_path, ON), clock)
    await first.command(ALICE, "checkin")
    await first.services.db.dispose()
    clock.advance(days=1)
    second = await make_bot(write_config(tmp_path, ON), clock)
    await second.command(ALICE, "checkin")
    assert "2 day(s) in a row" in second.last()
    await second.services.db.dispose()
