"""Duty rotation and scheduled posts, driven by the scheduler with a controlled clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.events import MemberJoined, MemberLeft, direct_chat
from handlers.community.common import get
from handlers.community.schedule import post_due
from tests.community.conftest import ALICE, BOB, CAROL, CHAT, Bot, BotFactory


def in_chat(features: dict[str, Any]) -> dict[str, Any]:
    return {"chats": {CHAT: {"features": features}}}


async def tick(bot: Bot, minutes: int = 1) -> None:
    for _ in range(minutes):
        bot.clock.advance(minutes=1)
        await get(bot.services).scheduler.run_due(bot.clock())


async def test_the_days_host_is_announced_once_at_the_local_time_and_reminded(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=in_chat({"duty": {"enabled": True, "at": "09:30",
                                                        "roster": [ALICE.id, BOB.id]}}))
    await tick(bot, 29)  # until 09:29 Shanghai
    assert bot.gateway.of("send") == []
    await tick(bot, 2)
    sends = bot.gateway.of("send")
    assert len(sends) == 2 and "Today's host is" in sends[0].args["text"]
    host = sends[1].chat
    assert host in (direct_chat(ALICE.id), direct_chat(BOB.id))  # reminded in private
    assert "you are today's host" in sends[1].args["text"]
    await tick(bot, 30)
    assert len(bot.gateway.of("send")) == 2  # once a day
    bot.clock.advance(days=1)
    await tick(bot)
    assert bot.gateway.of("send")[-1].chat in (direct_chat(ALICE.id), direct_chat(BOB.id))
    assert bot.gateway.of("send")[-1].chat != host  # the rotation moved on


async def test_members_who_left_are_skipped_and_duty_join_adds_members(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=in_chat({"duty": {"enabled": True,
                                                        "roster": [ALICE.id]}}))
    await bot.command(BOB, "duty", "join")
    assert "Bob joined the duty rotation" in bot.last()
    await bot.command(BOB, "轮值", "加入")
    assert "already" in bot.last()
    for user in (ALICE, BOB):
        await bot.services.dispatcher(MemberJoined(CHAT, user, bot.clock()), bot.gateway)
    await bot.services.dispatcher(MemberLeft(CHAT, ALICE, bot.clock()), bot.gateway)
    await bot.command(CAROL, "duty")
    schedule = bot.last().splitlines()[1:]
    assert len(schedule) == 7 and all(line.endswith("— Bob") for line in schedule)


async def test_the_schedule_alternates_between_hosts(bot_factory: BotFactory) -> None:
    bot = await bot_factory({}, extra=in_chat({"duty": {"enabled": True,
                                                        "roster": [ALICE.id, BOB.id]}}))
    for user in (ALICE, BOB):
        await bot.services.dispatcher(MemberJoined(CHAT, user, bot.clock()), bot.gateway)
    await bot.command(CAROL, "duty")
    hosts = [line.split("— ")[1] for line in bot.last().splitlines()[1:]]
    assert hosts[:4] in (["Alice", "Bob", "Alice", "Bob"], ["Bob", "Alice", "Bob", "Alice"])


async def test_scheduled_posts_follow_their_cron_schedule_in_local_time(
        bot_factory: BotFactory) -> None:
    posts = [{"schedule": "0 10 * * mon", "text": "每周一：本周读书计划", "text_en": "Plan"},
             {"schedule": "daily 21:00", "text": "晚安", "keep": False}]
    bot = await bot_factory({}, extra=in_chat({"schedule": {"posts": posts}}))
    await tick(bot, 60)  # Monday 09:00 → 10:00 Shanghai
    assert bot.texts() == ["Plan"]
    await tick(bot, 11 * 60)  # → 21:00
    assert bot.texts() == ["Plan", "晚安"]
    bot.clock.advance(days=1)
    await tick(bot)  # Tuesday 21:01: the daily post again (a missed minute still counts once)
    assert bot.texts() == ["Plan", "晚安", "晚安"]
    bot.clock.advance(hours=2)
    assert await bot.services.notifier.flush_due() == 2  # 晚安 is not kept; the plan is


async def test_a_restart_does_not_repeat_a_post(bot_factory: BotFactory) -> None:
    posts = [{"schedule": "*/30 * * * *", "text": "半点提醒"}]
    bot = await bot_factory({}, extra=in_chat({"schedule": {"posts": posts}}))
    await tick(bot, 30)
    assert bot.texts() == ["半点提醒"]
    again = await bot_factory({}, bot.clock, extra=in_chat({"schedule": {"posts": posts}}))
    assert await post_due(get(again.services), CHAT, bot.clock() + timedelta(seconds=30)) == 0
    assert again.texts() == []
    assert await post_due(get(again.services), CHAT, bot.clock() + timedelta(minutes=30)) == 1
