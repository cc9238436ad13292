"""Contribution points: clean messages, being connected, thanks, reactions, violations."""

from __future__ import annotations

from datetime import timedelta

from bot.events import Kind, Reaction, ReplyRef, Segment
from handlers.community.common import get
from storage.contributions import ContributionRepo
from tests.community.conftest import ALICE, BOB, CAROL, CHAT, Bot, BotFactory

ON = {"points": {"enabled": True}, "checkin": {"enabled": True}}


async def points(bot: Bot, user: str, kind: str | None = None) -> float:
    await get(bot.services).flush_points()
    async with bot.services.db.session() as session:
        repo = ContributionRepo(session)
        if kind is None:
            return await repo.total([CHAT], user)
        start, end = bot.clock() - timedelta(days=1), bot.clock() + timedelta(days=1)
        return await repo.sum_for_day(CHAT, user, kind, start, end)


async def test_clean_messages_earn_points_up_to_the_daily_cap(bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True, "daily_caps": {"message": 3}}})
    for n in range(5):
        await bot.say(ALICE, f"Here is a real thought number {n}")
    assert await points(bot, ALICE.id) == 3
    bot.clock.advance(days=1)  # a new local day: the cap resets
    await bot.say(ALICE, "Another useful message today")
    assert await points(bot, ALICE.id) == 4


async def test_filler_and_very_short_messages_earn_nothing(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    for text in ("哈哈哈", "ok", "+1", "收到！", "好的", "hi", "。。。"):
        await bot.say(ALICE, text)
    assert await points(bot, ALICE.id) == 0


async def test_replies_and_mentions_credit_the_member_who_is_connected(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True, "weights": {"message": 0}}})
    first = await bot.say(ALICE, "What do you think about the reading?")
    await bot.say(BOB, "I think it was great", reply_to=ReplyRef(first, ALICE.id))
    await bot.say(CAROL, "agree with @alice here",
                  mentions=(Segment(Kind.MENTION, "@Alice", {"user_id": ALICE.id}),))
    await bot.say(ALICE, "replying to myself", reply_to=ReplyRef(first, ALICE.id))
    assert await points(bot, ALICE.id, "reply_received") == 2
    assert await points(bot, ALICE.id, "mention_received") == 1
    assert await points(bot, BOB.id) == 0 and await points(bot, CAROL.id) == 0


async def test_thanks_rewards_the_replied_member_but_not_oneself_and_is_capped_per_giver(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({"points": {"enabled": True, "thanks_per_day": 2}})
    await bot.command(ALICE, "thanks")
    assert "Reply to the message" in bot.last()
    await bot.command(ALICE, "thanks", reply_to=ReplyRef("9", ALICE.id))
    assert "yourself" in bot.last()
    for _ in range(2):
        await bot.command(ALICE, "感谢", reply_to=ReplyRef("9", BOB.id))
        assert "thanked" in bot.last() and "+5 points" in bot.last()
    await bot.command(ALICE, "thanks", reply_to=ReplyRef("9", CAROL.id))
    assert "thanked 2 members today" in bot.last()
    assert await points(bot, BOB.id) == 10 and await points(bot, CAROL.id) == 0
    bot.clock.advance(days=1)
    await bot.command(ALICE, "thanks", reply_to=ReplyRef("9", CAROL.id))
    assert await points(bot, CAROL.id) == 5


async def test_reactions_received_credit_the_author_never_the_reactor_themselves(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    message_id = await bot.say(ALICE, "a photo of today's sunset")
    base = await points(bot, ALICE.id)
    await bot.services.dispatcher(Reaction(CHAT, message_id, BOB.id, bot.clock(), ("👍",)),
                                  bot.gateway)
    await bot.services.dispatcher(Reaction(CHAT, message_id, ALICE.id, bot.clock(), ("👍",)),
                                  bot.gateway)
    await bot.services.dispatcher(Reaction(CHAT, message_id, CAROL.id, bot.clock(), (),
                                           ("👍",)), bot.gateway)
    assert await points(bot, ALICE.id) == base + 1


async def test_a_checkin_earns_points_once_a_day(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    await bot.command(ALICE, "checkin")
    await bot.command(ALICE, "checkin")
    assert await points(bot, ALICE.id, "checkin") == 2


async def test_a_checkins_points_are_stored_with_the_checkin_not_in_a_later_batch(
        bot_factory: BotFactory) -> None:
    """A crash between the two would leave a check-in whose replay awards nothing (the
    check-in is there): both are written in one transaction."""
    bot = await bot_factory(ON)
    await bot.command(ALICE, "checkin")
    assert get(bot.services).points.pending == 0
    async with bot.services.db.session() as session:
        start, end = bot.clock() - timedelta(days=1), bot.clock() + timedelta(days=1)
        stored = await ContributionRepo(session).sum_for_day(CHAT, ALICE.id, "checkin",
                                                             start, end)
    assert stored == 2


async def test_a_violation_subtracts_points(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON, extra={"defaults": {
        "timezone": "Asia/Shanghai", "language": "en", "features": ON,
        "policies": {"ads": {}}}})
    await bot.say(ALICE, "Good morning everyone, the notes are up")
    await bot.say(ALICE, "兼职日结，加我薇信 qq88166 详聊")
    assert "delete" in bot.gateway.names()
    assert await points(bot, ALICE.id) == 1 - 5


async def test_me_shows_points_streak_warns_and_rank(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    await bot.say(BOB, "Bob writes a long useful message")
    await bot.command(ALICE, "checkin")
    await bot.say(ALICE, "Alice writes a long useful message")
    await bot.command(ALICE, "me")
    assert bot.last() == ("Alice: 3 points (rank 1), check-in streak 1 (best 1), "
                          "active warns 0.")
    await bot.command(BOB, "我的")
    assert "Bob: 1 points (rank 2)" in bot.last()


async def test_top_lists_the_week_month_or_all_time(bot_factory: BotFactory) -> None:
    bot = await bot_factory(ON)
    await bot.say(ALICE, "an old but useful message")
    await bot.say(ALICE, "another old useful message")
    bot.clock.advance(days=10)
    await bot.say(BOB, "a recent useful message")
    await bot.command(CAROL, "top")
    assert bot.last().splitlines() == ["Top contributors (this week):", "1. Bob — 1"]
    await bot.command(CAROL, "top", "all")
    assert bot.last().splitlines()[1:] == ["1. Alice — 2", "2. Bob — 1"]
    await bot.command(CAROL, "排行", "月")
    assert bot.last().splitlines()[0] == "Top contributors (this month):"
