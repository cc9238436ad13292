"""A worker that lost Redis for a while reads the shared state again once it is back: a /shadow
switch made on the other worker meanwhile (its bus message never reached it) applies there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.workers.cut import CuttableRelay
from tests.workers.platform import Balancer
from tests.workers.processes import MODERATOR, Workers, eventually, moderation_workers
from tests.workers.test_two_workers import _more, _policies_say, _replies

Setup = tuple[Balancer, CuttableRelay, Workers]


@pytest.fixture
async def cut_off(pg_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Setup]:
    """Worker 0 reaches Redis through a relay the test can cut; worker 1 directly."""
    redis = urlsplit(redis_url)
    platform = Balancer()
    async with CuttableRelay((redis.hostname or "127.0.0.1", redis.port or 6379)) as relay:
        relayed = redis._replace(netloc=f"127.0.0.1:{relay.port}").geturl()
        async with platform, moderation_workers(
                platform, tmp_path, pg_url, redis_url,
                env_of=lambda n: {"QUNGUAN_REDIS_URL": relayed} if n == 0 else {}) as workers:
            yield platform, relay, workers


def _logged(workers: Workers, n: int, words: str) -> bool:
    return words in workers.log(n)


async def test_a_shadow_switch_made_while_a_worker_lost_redis_applies_there_once_back(
        cut_off: Setup) -> None:
    platform, relay, workers = cut_off
    assert await _policies_say(platform, 0, "enforcing")
    await relay.cut()
    await eventually(lambda: _true(_logged(workers, 0, "coherence channel lost")),
                     "worker 0 lost its channel")
    before = len(_replies(platform))
    await platform.to(1, platform.message(MODERATOR, "/shadow on"))  # unheard by worker 0
    await eventually(lambda: _more(platform, before), "the /shadow answer")
    await relay.restore()
    await eventually(lambda: _true(_logged(workers, 0, "coherence channel back")),
                     "worker 0 subscribed again")
    assert await _policies_say(platform, 0, "shadow mode")
    await workers.stop()


async def _true(value: bool) -> bool:
    return value
