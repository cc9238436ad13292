"""Capacity and waitlist: full groups queue join requests first-come; departures admit the next."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from pathlib import Path

from bot.events import JoinRequest, MemberJoined, MemberLeft, Sender
from bot.gateway import Outcome
from bot.gateway_fake import RecordingGateway
from handlers.community import seats
from handlers.community.capacity import resync_all
from handlers.community.common import get
from storage.queue import JoinQueueRepo
from tests.community.conftest import CHAT, Bot, BotFactory, Clock, make_bot, write_config

CAP = {"capacity": {"enabled": True, "capacity": 3}}


def person(n: int) -> Sender:
    return Sender(f"test:{n}", f"user{n}")


async def fill(bot: Bot, members: range) -> None:
    for n in members:
        await bot.services.dispatcher(MemberJoined(CHAT, person(n), bot.clock()), bot.gateway)


async def request(bot: Bot, n: int) -> None:
    await bot.services.dispatcher(JoinRequest(CHAT, person(n), bot.clock(), ref=f"r{n}"),
                                  bot.gateway)


async def stored_count(bot: Bot) -> int | None:
    async with bot.services.db.session() as session:
        return await seats.count(session, CHAT)


async def test_requests_are_approved_while_there_is_room_then_queued(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAP)
    await fill(bot, range(1, 3))
    await request(bot, 10)
    await request(bot, 11)
    await request(bot, 12)
    assert [c.args["user"] for c in bot.gateway.of("approve_join")] == ["test:10"]
    queued = [c for c in bot.gateway.of("send") if "waiting list" in c.args["text"]]
    assert [(c.chat, c.args["text"].split("number ")[1][0]) for c in queued] == [
        ("test:private:11", "1"), ("test:private:12", "2")]
    assert await stored_count(bot) == 3


async def test_a_departure_admits_the_first_in_line_and_tells_them(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAP)
    await fill(bot, range(1, 4))
    for n in (10, 11):
        await request(bot, n)
    assert bot.gateway.of("approve_join") == []
    await bot.services.dispatcher(MemberLeft(CHAT, person(2), bot.clock()), bot.gateway)
    (approved,) = bot.gateway.of("approve_join")
    assert approved.args == {"user": "test:10", "ref": "r10"}
    assert "request to join was approved" in bot.last() and \
        bot.gateway.of("send")[-1].chat == "test:private:10"  # in private
    await bot.services.dispatcher(MemberJoined(CHAT, person(10), bot.clock()), bot.gateway)
    assert await stored_count(bot) == 3
    await bot.command(person(11), "position", private=True, chat="test:11")
    assert "number 1 of 1" in bot.last()


async def test_a_withdrawn_request_frees_its_seat_for_the_next(bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAP)
    await fill(bot, range(1, 4))
    for n in (10, 11):
        await request(bot, n)
    approvals: list[str] = []

    async def approve(chat: str, user: str, ref: str = "") -> Outcome:
        approvals.append(user)
        return Outcome.failure("HIDE_REQUESTER_MISSING") if user == "test:10" \
            else Outcome.success()

    bot.gateway.approve_join = approve  # type: ignore[method-assign]
    await bot.services.dispatcher(MemberLeft(CHAT, person(1), bot.clock()), bot.gateway)
    assert approvals == ["test:10", "test:11"]
    assert await stored_count(bot) == 3


async def test_the_waitlist_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    first = await make_bot(write_config(tmp_path, CAP), clock)
    await fill(first, range(1, 4))
    await request(first, 10)
    await first.services.db.dispose()
    second = await make_bot(write_config(tmp_path, CAP), clock)
    await second.services.dispatcher(MemberLeft(CHAT, person(3), clock()), second.gateway)
    assert [c.args["user"] for c in second.gateway.of("approve_join")] == ["test:10"]
    await second.services.dispatcher(JoinRequest(CHAT, person(11), clock()), second.gateway)
    await second.command(person(11), "排队", private=True, chat="test:11")
    assert "number 1 of 1" in second.last()
    await second.services.db.dispose()


async def test_the_platforms_member_count_is_used_when_an_adapter_offers_it(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAP)

    class Adapter:
        async def member_count(self, chat: str) -> int:
            return 3

    bot.services.extras["test"] = Adapter()
    await request(bot, 10)
    assert bot.gateway.of("approve_join") == []
    assert await stored_count(bot) == 3


# -- two bot instances on one PostgreSQL database -------------------------------------------


class Group:
    """The platform: who is really in the group; approvals add members immediately."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.members: set[str] = set()
        self.most = 0
        self.approved: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []

    def admit(self, user: str) -> None:
        self.members.add(user)
        self.approved.append(user)
        self.most = max(self.most, len(self.members))


class PlatformGateway(RecordingGateway):
    def __init__(self, group: Group, bots: list[Bot]) -> None:
        super().__init__("test")
        self.group = group
        self.bots = bots

    async def approve_join(self, chat: str, user: str, ref: str = "") -> Outcome:
        self.group.admit(user)
        bot = random.choice(self.bots)  # the join update reaches either process
        joined = MemberJoined(CHAT, Sender(user, user), bot.clock())
        self.group.tasks.append(asyncio.create_task(bot.services.dispatcher(joined,
                                                                            bot.gateway)))
        return await super().approve_join(chat, user, ref)


async def test_two_processes_on_postgresql_never_exceed_capacity(
        pg_url: str, tmp_path: Path) -> None:
    capacity, initial, requests, departures = 20, 15, 40, 12
    clock = Clock()
    config = write_config(tmp_path, {"capacity": {"enabled": True, "capacity": capacity}},
                          url=pg_url)
    bots = [await make_bot(config, clock), await make_bot(config, clock)]
    group = Group(capacity)
    for bot in bots:
        bot.gateway = PlatformGateway(group, bots)
        bot.services.gateways["test"] = bot.gateway
    try:
        for n in range(initial):
            group.admit(f"test:{n}")
            await bots[n % 2].services.dispatcher(
                MemberJoined(CHAT, person(n), clock()), bots[n % 2].gateway)
        group.approved.clear()
        rng = random.Random(5)

        async def leave(n: int) -> None:
            await asyncio.sleep(rng.random() * 0.05)
            group.members.discard(f"test:{n}")
            bot = bots[n % 2]
            await bot.services.dispatcher(MemberLeft(CHAT, person(n), clock()), bot.gateway)

        async def ask(n: int) -> None:
            await asyncio.sleep(rng.random() * 0.05)
            bot = bots[n % 2]
            await bot.services.dispatcher(JoinRequest(CHAT, person(n), clock(), ref=str(n)),
                                          bot.gateway)

        await asyncio.gather(*(ask(100 + n) for n in range(requests)),
                             *(leave(n) for n in range(departures)))
        while group.tasks:
            await group.tasks.pop()
        clock.advance(seconds=timedelta(minutes=1).total_seconds())
        assert group.most <= capacity
        assert len(group.approved) == len(set(group.approved))
        assert len(group.members) == capacity  # every freed seat was filled
        assert len(group.approved) == capacity - initial + departures
        assert await stored_count(bots[0]) == capacity
        async with bots[1].services.db.session() as session:
            waiting = await JoinQueueRepo(session).list(CHAT)
        assert len(waiting) == requests - len(group.approved)
        assert not {e.user_id for e in waiting} & set(group.approved)
    finally:
        for bot in bots:
            await bot.services.db.dispose()


class CountingAdapter:
    """An adapter that knows the group's size (as Telegram and OneBot do)."""

    def __init__(self, members: int) -> None:
        self.members = members

    async def member_count(self, chat: str) -> int:
        return self.members


async def test_a_skewed_count_is_set_to_the_platforms_and_the_freed_seat_filled(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAP)
    await fill(bot, range(1, 4))  # the bot counted 3 of 3
    await request(bot, 10)
    bot.services.extras["test"] = CountingAdapter(2)  # a departure it never saw
    assert await seats_job(bot) == [CHAT]
    assert [c.args["user"] for c in bot.gateway.of("approve_join")] == ["test:10"]
    assert await stored_count(bot) == 3
    assert await seats_job(bot) == [], "the admitted member's join is still on its way"
    await bot.services.dispatcher(MemberJoined(CHAT, person(10), bot.clock()), bot.gateway)
    bot.services.extras["test"] = CountingAdapter(3)
    assert await seats_job(bot) == []  # agrees: nothing to change


async def test_an_admission_whose_join_never_came_stops_blocking_the_resync_after_an_hour(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(CAP)
    await fill(bot, range(1, 3))
    await request(bot, 10)  # admitted: seat 3 reserved, the join never arrives
    bot.services.extras["test"] = CountingAdapter(2)
    assert await seats_job(bot) == []
    bot.clock.advance(hours=2)
    assert await seats_job(bot) == [CHAT]
    assert await stored_count(bot) == 2


async def seats_job(bot: Bot) -> list[str]:
    return await resync_all(get(bot.services), bot.clock())
