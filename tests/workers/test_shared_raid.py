"""Two workers' raid watches on one Redis: ads alternating between them reach the raid's limit
together; both switch, one announces, one summarises the whole raid."""

from __future__ import annotations

import asyncio
from functools import partial

from redis.asyncio import Redis

from bot.raid import RaidRule
from bot.raid_shared import SharedRaidWatch
from storage.redis_raid import RedisRaidBoard

CHAT = "tg:-100"


class Clock:
    """A monotonic clock the test moves (the raid's end without waiting for it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _reported(*watches: SharedRaidWatch) -> None:
    for watch in watches:
        for task in list(watch._sending.values()):
            await task


async def test_ads_alternating_between_two_workers_switch_both_and_are_summarised_once(
        redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    rule = RaidRule(ads=6, seconds=30)
    clocks = [Clock(), Clock()]
    announced: list[str] = []
    watches: list[SharedRaidWatch] = []

    def bus(n: int, chat: str, left: float) -> None:  # the coherence bus, to the other
        announced.append(chat)
        watches[1 - n].switch(chat, left)

    for n, clock in enumerate(clocks):
        watches.append(SharedRaidWatch(RedisRaidBoard(client), rule, clock=clock,
                                       announce=partial(bus, n)))
    try:
        for n in range(6):  # three each: under the limit alone
            watches[n % 2].ad(CHAT, f"tg:{n}")
            await _reported(*watches)
        assert announced == [CHAT]  # the report that reached the limit tells the others
        for watch in watches:
            raid = watch.raid(CHAT)
            assert raid is not None, "both workers in raid mode"
            raid.banned.add("tg:5")  # as the outbox does
        watches[0].ad(CHAT, "tg:6")
        watches[1].ad(CHAT, "tg:7")
        await _reported(*watches)
        assert [await w.tells(CHAT) for w in watches] == [True, False]
        for clock in clocks:
            clock.now += 31  # the raid is over on both (the switch's TTL is real time)
        await client.delete(f"qunguan:raid:{CHAT}:on")
        ended = [await w.ended(CHAT) for w in watches]
        assert [r.tell for r in ended if r is not None] == [True, False]
        summary = ended[0]
        assert summary is not None
        assert (summary.deleted, summary.members, summary.banned) == (
            3, {"tg:5", "tg:6", "tg:7"}, {"tg:5"})
    finally:
        await asyncio.gather(*(t for w in watches for t in w._sending.values()))
        await client.aclose()


async def test_a_raid_still_on_for_another_worker_has_not_ended_here(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    clocks = [Clock(), Clock()]
    rule = RaidRule(ads=2, seconds=30)
    here, there = (SharedRaidWatch(RedisRaidBoard(client), rule, clock=c) for c in clocks)
    try:
        here.ad(CHAT, "tg:1")
        there.ad(CHAT, "tg:2")
        await _reported(here, there)
        here.switch(CHAT, 30)  # the bus's word from the worker that switched it
        clocks[0].now += 31  # this worker saw nothing more; the switch is on in Redis
        assert here.raid(CHAT) is None
        assert await here.ended(CHAT) is None
        assert here.quiet_in(CHAT) > 0  # the mirror follows the shared switch again
    finally:
        await client.aclose()


async def test_a_worker_back_on_the_bus_adopts_a_raid_switched_on_meanwhile(
        redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    rule = RaidRule(ads=1, seconds=30)
    here, there = (SharedRaidWatch(RedisRaidBoard(client), rule) for _ in range(2))
    try:
        there.ad(CHAT, "tg:1")  # switched on; the bus's word never reached this worker
        await _reported(there)
        assert here.raid(CHAT) is None
        assert await here.resync() == 1
        assert here.raid(CHAT) is not None
    finally:
        await client.aclose()
