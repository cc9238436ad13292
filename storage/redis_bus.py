"""Implements ``bot.coherence.Bus`` on Redis pub/sub: one channel every worker subscribes to."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RedisBus:
    """Publishes to and listens on ``channel``; a lost connection is re-subscribed after a
    second. Messages published meanwhile are lost: once subscribed again, ``resumed`` is
    called, for the listener to re-read the shared state they would have changed."""

    def __init__(self, client: Redis, channel: str = "qunguan:coherence") -> None:
        self.redis = client
        self.channel = channel
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def publish(self, message: str) -> None:
        await self.redis.publish(self.channel, message)

    async def start(self, deliver: Callable[[str], Awaitable[None]],
                    resumed: Callable[[], Awaitable[None]] | None = None) -> None:
        self._task = asyncio.create_task(self._listen(deliver, resumed),
                                         name="qunguan-coherence")
        with contextlib.suppress(TimeoutError):  # unreachable: keep retrying in the background
            async with asyncio.timeout(5):
                await self._subscribed.wait()

    async def _listen(self, deliver: Callable[[str], Awaitable[None]],
                      resumed: Callable[[], Awaitable[None]] | None) -> None:
        lost = False
        while True:
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._subscribed.set()
                    if lost and resumed is not None:  # subscribed first: nothing falls between
                        lost = False
                        await self._resume(resumed)
                    async for message in pubsub.listen():
                        await self._deliver(deliver, message)
            except (RedisError, OSError) as exc:
                if not lost:
                    log.warning("coherence channel lost (%s); re-subscribing", exc)
                lost = True
                await asyncio.sleep(1)

    @staticmethod
    async def _resume(resumed: Callable[[], Awaitable[None]]) -> None:
        try:
            await resumed()
        except Exception:
            log.exception("re-reading the shared state after a lost channel failed")
        else:
            log.info("coherence channel back: shared state read again")

    @staticmethod
    async def _deliver(deliver: Callable[[str], Awaitable[None]], message: Any) -> None:
        if message.get("type") != "message":
            return
        data = message.get("data")
        try:
            await deliver(data.decode() if isinstance(data, bytes) else str(data))
        except Exception:
            log.exception("applying an invalidation failed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
