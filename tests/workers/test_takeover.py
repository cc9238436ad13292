"""A worker killed after claiming an update and before acting on it: the platform's
redelivery to the other worker is taken over once the claim's lease lapsed, and acted on once."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.verdict import Action
from storage.db import Database
from storage.updates import HOLD_ENV, LEASE_ENV
from tests.workers.platform import Balancer
from tests.workers.processes import Process, eventually, moderation_workers
from tests.workers.test_two_workers import actions, warns

Procs = list[Process]


@pytest.fixture
async def held(pg_url: str, redis_url: str, tmp_path: Path
               ) -> AsyncIterator[tuple[Balancer, Database, Procs]]:
    """Worker 0 stops after each claim it wins (the test hook); worker 1 acts normally.
    Both hold claims under a 2-second lease."""
    platform = Balancer()
    async with platform, moderation_workers(
            platform, tmp_path, pg_url, redis_url, env={LEASE_ENV: "2"},
            env_of=lambda n: {HOLD_ENV: "600"} if n == 0 else {}) as workers:
        db = Database(pg_url)
        try:
            yield platform, db, workers.procs
        finally:
            await db.dispose()


async def _state(db: Database, key: str) -> str | None:
    async with db.session() as session:
        state = await session.scalar(text("SELECT state FROM processed_updates WHERE key = :k"),
                                     {"k": key})
    return None if state is None else str(state)


async def _is(value: object, expected: object) -> bool:
    return bool(await value == expected)  # type: ignore[misc]


async def test_an_update_claimed_by_a_killed_worker_is_acted_on_once_by_the_other(
        held: tuple[Balancer, Database, Procs]) -> None:
    platform, db, procs = held
    ad = platform.message(700, "加薇信 crash1x 领取福利")
    key = f"tg:{ad['update_id']}"
    first = asyncio.create_task(platform.to(0, ad))  # never answered: the worker dies
    await eventually(lambda: _is(_state(db, key), "claimed"), "worker 0 claimed the update")
    procs[0].send_signal(signal.SIGKILL)
    await procs[0].wait()
    with contextlib.suppress(Exception):
        await first
    assert not platform.deleted()  # it claimed and died before acting
    await platform.to(1, ad)  # the redelivery: 200 once taken over and durable
    await eventually(lambda: _is(_state(db, key), "done"), "the update done")
    await platform.to(1, ad)  # delivered once more: a duplicate now
    await platform.to(1, {**ad, "update_id": ad["update_id"] + 50_000})  # the same message
    procs[1].send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(procs[1].wait(), 30) == 0
    assert platform.deleted()[ad["message"]["message_id"]] == 1
    assert await actions(db, 700) == [Action.WARN]
    assert await warns(db, 700) == 1
