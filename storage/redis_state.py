"""Several workers' short-lived shared state on one Redis: chat traces, raid switches, the bus."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from storage.redis_bus import RedisBus
from storage.redis_history import RedisChatHistory
from storage.redis_raid import RedisRaidBoard


@dataclass
class RedisState:
    """What the composition root wires when ``QUNGUAN_REDIS_URL`` is set."""

    client: Redis
    history: RedisChatHistory
    bus: RedisBus
    raids: RedisRaidBoard

    async def close(self) -> None:
        await self.history.drain()
        with contextlib.suppress(RedisError, OSError):
            await self.client.aclose()


def connect(url: str, *, prefix: str = "qunguan:") -> RedisState:
    """Clients for ``url`` (``redis://host:6379/0``); no I/O until first used.

    Keys live in the URL's database, pub/sub channels in the whole server: the bus's channel
    names a database other than 0 (``qunguan:coherence:3``), so deployments on different
    databases of one Redis never hear each other's invalidations and raid switches."""
    client = Redis.from_url(url)
    database = int(client.connection_pool.connection_kwargs.get("db") or 0)
    channel = prefix + "coherence" + (f":{database}" if database else "")
    return RedisState(client, RedisChatHistory(client, prefix=prefix + "history:"),
                      RedisBus(client, channel),
                      RedisRaidBoard(client, prefix=prefix + "raid:"))
