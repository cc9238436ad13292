"""Implements ``bot.raid_shared.RaidBoard`` on Redis: every worker's ads and joins counted in one
window per chat, and one raid switch per chat whose expiry is the raid's end."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from itertools import count

from redis.asyncio import Redis

from bot.raid import RaidRule
from bot.raid_shared import Closing, RaidReport

#: Count a worker's ads and joins into the chat's windows (times from Redis's own clock, so
#: workers' clocks do not matter); switch the chat to raid handling when a window reaches its
#: limit (the switch key expires ``window`` after the last ad or join: the raid's end); while
#: the switch is on, add to the raid's tally. KEYS: ads, joins, switch, tally, members,
#: banned, locked. ARGV: window ms, ads limit, joins limit, ads, joins, tag, then JSON lists
#: of members, banned, locked. Returns {started, switch's ms left, ads in the window}.
_REPORT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local nads, njoins = tonumber(ARGV[4]), tonumber(ARGV[5])
local function count(key, n, kind)
  for i = 1, n do redis.call('ZADD', key, now, ARGV[6] .. kind .. i) end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if n > 0 then redis.call('PEXPIRE', key, window) end
  return redis.call('ZCARD', key)
end
local ads, joins = count(KEYS[1], nads, 'a'), count(KEYS[2], njoins, 'j')
local limit_ads, limit_joins = tonumber(ARGV[2]), tonumber(ARGV[3])
local on = redis.call('PTTL', KEYS[3]) > 0
local started = 0
if not on and ((limit_ads > 0 and nads > 0 and ads >= limit_ads)
               or (limit_joins > 0 and njoins > 0 and joins >= limit_joins)) then
  redis.call('DEL', KEYS[4], KEYS[5], KEYS[6], KEYS[7])
  started, on = 1, true
end
if on then
  if nads + njoins > 0 then redis.call('SET', KEYS[3], now, 'PX', window) end
  redis.call('HINCRBY', KEYS[4], 'deleted', nads)
  for i, arg in ipairs({7, 8, 9}) do
    for _, m in ipairs(cjson.decode(ARGV[arg])) do redis.call('SADD', KEYS[4 + i], m) end
  end
  for i = 4, 7 do redis.call('PEXPIRE', KEYS[i], window + 600000) end
end
return {started, math.max(redis.call('PTTL', KEYS[3]), 0), ads}
"""
#: The raid's end: {ms left} while the switch is on (unless ARGV[1] forces it), {0} without a
#: tally, else {0, won, deleted, members, banned, locked}: ``won`` for the one caller that
#: summarises it.
_CLOSE = """
local left = redis.call('PTTL', KEYS[1])
if left > 0 and ARGV[1] ~= '1' then return {left} end
if redis.call('EXISTS', KEYS[2]) == 0 then return {0} end
local won = redis.call('HSETNX', KEYS[2], 'summarised', '1')
return {0, won, tonumber(redis.call('HGET', KEYS[2], 'deleted') or '0'),
        redis.call('SMEMBERS', KEYS[3]), redis.call('SMEMBERS', KEYS[4]),
        redis.call('SMEMBERS', KEYS[5])}
"""
#: The one worker that announces a raid: the first to ask while its tally exists.
_TELL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
return redis.call('HSETNX', KEYS[1], 'told', '1')
"""
_PARTS = ("ads", "joins", "on", "tally", "members", "banned", "locked")


def _strings(items: Sequence[bytes | str]) -> set[str]:
    return {i.decode() if isinstance(i, bytes) else str(i) for i in items}


class RedisRaidBoard:
    """Raid windows and switches under ``prefix`` (``qunguan:raid:<chat>:on`` and so on)."""

    def __init__(self, client: Redis, *, prefix: str = "qunguan:raid:") -> None:
        self.redis = client
        self.prefix = prefix
        self._report = client.register_script(_REPORT)
        self._close = client.register_script(_CLOSE)
        self._tell = client.register_script(_TELL)
        self._tag = uuid.uuid4().hex[:12]
        self._calls = count()

    def _keys(self, chat: str) -> list[str]:
        return [f"{self.prefix}{chat}:{part}" for part in _PARTS]

    async def report(self, chat: str, rule: RaidRule, *, ads: Sequence[str], joins: int,
                     banned: Sequence[str], locked: Sequence[str]) -> RaidReport:
        window = str(max(1, int(rule.seconds * 1000)))
        tag = f"{self._tag}:{next(self._calls)}:"
        started, left, in_window = await self._report(keys=self._keys(chat), args=[
            window, rule.ads, rule.joins, len(ads), joins, tag, json.dumps(list(ads)),
            json.dumps(list(banned)), json.dumps(list(locked))])
        return RaidReport(bool(started), int(left) / 1000, int(in_window))

    async def close(self, chat: str, *, force: bool = False) -> Closing:
        keys = self._keys(chat)
        reply = await self._close(keys=[keys[2], keys[3], *keys[4:]], args=["1" if force else ""])
        if len(reply) == 1:
            return Closing(int(reply[0]) / 1000, None, False)
        _, won, deleted, members, banned, locked = reply
        return Closing(0.0, (int(deleted), _strings(members), _strings(banned),
                             _strings(locked)), bool(won))

    async def tell(self, chat: str) -> bool:
        return bool(await self._tell(keys=[self._keys(chat)[3]]))

    async def active(self) -> dict[str, float]:
        """Every chat whose switch is on, with the seconds it stays on."""
        found: dict[str, float] = {}
        async for raw in self.redis.scan_iter(match=f"{self.prefix}*:on", count=500):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            left = await self.redis.pttl(key)
            if left > 0:
                found[key[len(self.prefix):-len(":on")]] = left / 1000
        return found
