"""Each chat's recent messages shared by every worker in Redis (``bot.history`` behind it)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Sequence
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from bot.events import Kind
from bot.history import ChatHistory
from bot.policy import RecentMessage

log = logging.getLogger(__name__)

#: Append, trim, refresh the expiry and read the whole trace in one atomic step: the last item
#: is the one just appended, every item before it came first, in one order for all workers.
_ENTER = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then return redis.call('LRANGE', KEYS[1], 0, -1) end
return {}
"""
#: Replace one item (the newest equal to ARGV[1]) by ARGV[2], in place.
_AMEND = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do
  if items[i] == ARGV[1] then redis.call('LSET', KEYS[1], i - 1, ARGV[2]) return 1 end
end
return 0
"""


def encode(entry: RecentMessage) -> bytes:
    return json.dumps([entry.message_id, entry.sender_id, entry.date.isoformat(),
                       entry.fingerprint, sorted(entry.kinds), entry.album_id],
                      ensure_ascii=False, separators=(",", ":")).encode()


def decode(raw: bytes) -> RecentMessage:
    mid, sender, date, fingerprint, kinds, album = json.loads(raw)
    return RecentMessage(mid, sender, datetime.fromisoformat(date), fingerprint,
                         frozenset(Kind(k) for k in kinds), album)


class RedisChatHistory(ChatHistory):
    """The chat trace every worker appends to and reads, one Redis list per chat (bounded to
    ``per_chat`` items, expiring ``horizon`` after its last message).

    The in-memory trace of the base class stays as this worker's mirror, for synchronous
    readers (a reply's author) and as the fallback while Redis cannot be reached (logged).
    """

    def __init__(self, client: Redis, *, prefix: str = "qunguan:history:",
                 per_chat: int = 400, horizon: timedelta = timedelta(hours=24),
                 chats: int = 5000, decoded: int = 100_000) -> None:
        super().__init__(per_chat=per_chat, horizon=horizon, chats=chats)
        self.redis = client
        self.prefix = prefix
        self._enter = client.register_script(_ENTER)
        self._amend = client.register_script(_AMEND)
        self._ttl_ms = str(int(horizon.total_seconds() * 1000))
        #: raw item → decoded: each worker decodes an item once, not on every message
        self._decoded: OrderedDict[bytes, RecentMessage] = OrderedDict()
        self._decoded_max = decoded
        #: what ``enter`` appended, until ``settle`` (which amends it if it changed)
        self._entered: dict[tuple[str, str], bytes] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._warned_at = 0.0

    def _key(self, chat: str) -> str:
        return self.prefix + chat

    def _trace(self, items: Sequence[bytes], now: datetime) -> tuple[RecentMessage, ...]:
        cutoff = now - self.horizon
        out = []
        for raw in items:
            entry = self._decoded.get(raw)
            if entry is None:
                entry = self._decoded[raw] = decode(raw)
                if len(self._decoded) > self._decoded_max:
                    self._decoded.popitem(last=False)
            if entry.date >= cutoff:
                out.append(entry)
        return tuple(out)

    def _unreachable(self, exc: Exception) -> None:
        if time.monotonic() - self._warned_at > 60:
            self._warned_at = time.monotonic()
            log.warning("Redis unreachable (%s): this worker's own trace is used", exc)

    async def enter(self, chat: str, entry: RecentMessage, now: datetime
                    ) -> Sequence[RecentMessage]:
        raw = encode(entry)
        try:
            items = await self._enter(keys=[self._key(chat)], args=[
                raw, self.per_chat, self._ttl_ms, "1"])
        except (RedisError, OSError) as exc:
            self._unreachable(exc)
            return self.recent(chat, now)
        self._entered[(chat, entry.message_id)] = raw
        if len(self._entered) > 10_000:  # a handler that failed never settled its entry
            self._entered.pop(next(iter(self._entered)))
        return self._trace(items[:-1], now)

    async def settle(self, chat: str, entry: RecentMessage) -> None:
        entered = self._entered.pop((chat, entry.message_id), None)
        raw = encode(entry)
        if entered is not None and entered != raw:  # its kinds grew while it was handled
            try:
                await self._amend(keys=[self._key(chat)], args=[entered, raw])
            except (RedisError, OSError) as exc:
                self._unreachable(exc)
        super().add(chat, entry)

    async def read(self, chat: str, now: datetime) -> Sequence[RecentMessage]:
        try:
            items: list[bytes] = await self.redis.lrange(self._key(chat), 0, -1)  # type: ignore[assignment]
        except (RedisError, OSError) as exc:
            self._unreachable(exc)
            return self.recent(chat, now)
        return self._trace(items, now)

    def add(self, chat: str, entry: RecentMessage) -> None:
        """A trace that is not a message being handled (a join): appended in the background."""
        super().add(chat, entry)
        self._background(self._enter(keys=[self._key(chat)], args=[
            encode(entry), self.per_chat, self._ttl_ms, "0"]))

    def forget(self, chat: str) -> None:
        super().forget(chat)
        self._background(self.redis.delete(self._key(chat)))

    def rename(self, old: str, new: str) -> None:
        super().rename(old, new)
        self._background(self.redis.rename(self._key(old), self._key(new)))

    def _background(self, work: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await work
            except ResponseError:
                pass  # renaming a trace that expired: nothing to move
            except (RedisError, OSError) as exc:
                self._unreachable(exc)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the background writes (joins, renames) in flight."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
