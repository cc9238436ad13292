"""Fixtures for several workers: a fresh PostgreSQL database and a Redis database, each skipped
with its reason where it is not running."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.community.conftest import pg_url  # noqa: F401  (a fresh database per test)

#: Where the Redis tests run (override with ``QUNGUAN_TEST_REDIS_URL``); flushed per test.
REDIS_URL = os.environ.get("QUNGUAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """An emptied Redis database (skipped if Redis or the client is absent)."""
    try:
        from redis.asyncio import Redis
    except ImportError as exc:  # pragma: no cover - installed by `make`
        pytest.skip(f"redis client not installed: {exc}")
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        await client.flushdb()
    except Exception as exc:
        await client.aclose()
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()
