"""The chat trace on Redis: two workers entering messages at once each see the other's that
came first, in one order; kinds that grow are amended; joins, forgetting and renames reach
every worker; without Redis a worker falls back to its own trace."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from bot.events import Kind
from bot.policy import RecentMessage
from storage.redis_history import RedisChatHistory, decode, encode

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
CHAT = "tg:-100"


def entry(n: int, sender: str = "tg:1", kinds: frozenset[Kind] = frozenset({Kind.TEXT}),
          at: datetime = NOW) -> RecentMessage:
    return RecentMessage(str(n), sender, at, f"fp{n % 3}", kinds, None)


def test_an_entry_survives_encoding() -> None:
    original = RecentMessage("5", "tg:2", NOW, "加薇信", frozenset({Kind.TEXT, Kind.LINK}), "a1")
    assert decode(encode(original)) == original


async def test_two_workers_entering_at_once_see_one_order(redis_url: str) -> None:
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        workers = [RedisChatHistory(c) for c in clients]
        seen = await asyncio.gather(*(workers[n % 2].enter(CHAT, entry(n), NOW)
                                      for n in range(40)))
        sizes = sorted(len(s) for s in seen)
        assert sizes == list(range(40))  # each saw exactly those placed before it
        longest = max(seen, key=len)
        for trace in seen:  # every view is a prefix of one shared order
            assert tuple(longest[:len(trace)]) == tuple(trace)
        everything = await workers[1].read(CHAT, NOW)
        assert len(everything) == 40
    finally:
        for c in clients:
            await c.aclose()


async def test_kinds_that_grow_while_handled_are_amended_for_everyone(redis_url: str) -> None:
    a, b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        one, other = RedisChatHistory(a), RedisChatHistory(b)
        first = entry(1)
        await one.enter(CHAT, first, NOW)
        await one.settle(CHAT, replace(first, kinds=first.kinds | {Kind.RED_PACKET}))
        (seen,) = await other.read(CHAT, NOW)
        assert Kind.RED_PACKET in seen.kinds
    finally:
        await a.aclose()
        await b.aclose()


async def test_joins_forgetting_and_renames_reach_other_workers(redis_url: str) -> None:
    a, b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        one, other = RedisChatHistory(a), RedisChatHistory(b)
        one.add(CHAT, entry(1, kinds=frozenset()))  # a join trace, written behind
        await one.drain()
        assert [e.message_id for e in await other.read(CHAT, NOW)] == ["1"]
        one.rename(CHAT, "tg:-200")
        await one.drain()
        assert not await other.read(CHAT, NOW)
        assert len(await other.read("tg:-200", NOW)) == 1
        one.forget("tg:-200")
        await one.drain()
        assert not await other.read("tg:-200", NOW)
    finally:
        await a.aclose()
        await b.aclose()


async def test_entries_older_than_the_horizon_are_not_returned(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        history = RedisChatHistory(client, horizon=timedelta(minutes=5))
        await history.enter(CHAT, entry(1, at=NOW - timedelta(minutes=10)), NOW)
        await history.enter(CHAT, entry(2, at=NOW - timedelta(minutes=1)), NOW)
        assert [e.message_id for e in await history.read(CHAT, NOW)] == ["2"]
    finally:
        await client.aclose()


async def test_without_redis_a_worker_uses_its_own_trace() -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        history = RedisChatHistory(client)
        assert await history.enter(CHAT, entry(1), NOW) == ()
        await history.settle(CHAT, entry(1))
        assert [e.message_id for e in await history.enter(CHAT, entry(2), NOW)] == ["1"]
    finally:
        await client.aclose()
