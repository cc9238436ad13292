"""A raid whose ads alternate between two real workers switches the chat to raid handling on
both (one Redis switch, the coherence bus): one announcement, one summary, batched deletions."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.workers.platform import Balancer
from tests.workers.processes import Workers, eventually, moderation_workers

RAID_ON, RAID_OVER = "Raid detected", "Raid over"


def _said(platform: Balancer, words: str) -> list[str]:
    return [str(p.get("text", "")) for p in platform.of("sendMessage")
            if words in str(p.get("text", ""))]


def _banned(platform: Balancer) -> set[int]:
    return {int(p["user_id"]) for p in platform.of("banChatMember")}


def _deletion_calls(platform: Balancer, ids: set[int]) -> int:
    calls = [{int(p["message_id"])} for p in platform.of("deleteMessage")]
    calls += [{int(i) for i in p["message_ids"]} for p in platform.of("deleteMessages")]
    return sum(1 for call in calls if call & ids)


@pytest.fixture
async def raid(pg_url: str, redis_url: str, tmp_path: Path
               ) -> AsyncIterator[tuple[Balancer, Workers]]:
    platform = Balancer()
    async with platform, moderation_workers(platform, tmp_path, pg_url, redis_url) as workers:
        yield platform, workers


async def _some(platform: Balancer, words: str) -> bool:
    return bool(_said(platform, words))


async def test_a_raid_alternating_between_two_workers_switches_both_once(
        raid: tuple[Balancer, Workers]) -> None:
    platform, workers = raid
    for n in range(12):  # each worker sees 6: under the limit of 10 alone, over it together
        await platform.to(n % 2, platform.message(800 + n, f"加薇信 raid{n}x{n * 3} 领取福利"))
    await eventually(lambda: _some(platform, RAID_ON), "the raid announced", 30)
    later = [platform.message(850 + n, f"加薇信 more{n}y{n * 5} 领取福利") for n in range(8)]
    await asyncio.gather(*(platform.to(n % 2, ad) for n, ad in enumerate(later)))
    await eventually(lambda: _some(platform, RAID_OVER), "the raid's summary", 60)
    await workers.stop()  # the other worker's end of the raid came and went too
    # every ad after the switch was banned, on either worker: both were in raid mode
    assert set(range(850, 858)) <= _banned(platform)
    assert len(_said(platform, RAID_ON)) == 1
    [summary] = _said(platform, RAID_OVER)
    numbers = re.search(r"deleted (\d+) messages from (\d+) accounts; (\d+) banned", summary)
    assert numbers is not None, summary
    deleted, accounts, banned = map(int, numbers.groups())
    assert banned == len(_banned(platform)) and 8 <= deleted <= 20 and accounts == deleted
    deleted_ids = platform.deleted()
    later_ids = {ad["message"]["message_id"] for ad in later}
    assert all(deleted_ids[i] == 1 for i in later_ids)
    assert _deletion_calls(platform, later_ids) < len(later_ids)  # batched in raid mode
