"""A worker killed after claiming an update and before acting on it: the platform's
redelivery to the other worker is taken over once the claim's lease lapsed, and acted on once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.verdict import Action
from storage.db import Database
from storage.updates import HOLD_ENV, LEASE_ENV
from tests.community.test_capacity_processes import SECRET, _listening, eventually, free_port
from tests.workers.test_two_workers import (
    CONFIG,
    MODERATOR,
    QUNGUAN,
    ROOT,
    Balancer,
    actions,
    warns,
)

Procs = list[asyncio.subprocess.Process]


@pytest.fixture
async def held(pg_url: str, redis_url: str, tmp_path: Path
               ) -> AsyncIterator[tuple[Balancer, Database, Procs]]:
    """Worker 0 stops after each claim it wins (the test hook); worker 1 acts normally.
    Both hold claims under a 2-second lease."""
    platform = Balancer()
    async with platform:
        procs: Procs = []
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
               "TELEGRAM_WEBHOOK_SECRET": SECRET, "PYTHONPATH": str(ROOT),
               "QUNGUAN_DASHBOARD_SECRET": "dash-" + SECRET,  # one key for all workers
               "QUNGUAN_REDIS_URL": redis_url, LEASE_ENV: "2"}
        for n in range(2):
            port = free_port()
            hook = f"http://127.0.0.1:{port}/telegram/webhook"
            path = tmp_path / f"worker{n}.yaml"
            path.write_text(CONFIG.format(base=platform.base_url, hook=hook, port=port,
                                          db=pg_url, moderator=MODERATOR), encoding="utf-8")
            platform.webhooks.append(hook)
            procs.append(await asyncio.create_subprocess_exec(
                QUNGUAN, "run", "--config", str(path), cwd=tmp_path,
                env={**env, HOLD_ENV: "600"} if n == 0 else env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=(tmp_path / f"w{n}.log").open("wb")))
        db = Database(pg_url)
        try:
            await platform.wait_for("setWebhook", 2, within=90)
            for hook in platform.webhooks:
                await eventually(partial(_listening, hook), f"{hook} listening")
            yield platform, db, procs
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
            await db.dispose()


async def _state(db: Database, key: str) -> str | None:
    async with db.session() as session:
        return await session.scalar(text("SELECT state FROM processed_updates WHERE key = :k"),
                                    {"k": key})


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
