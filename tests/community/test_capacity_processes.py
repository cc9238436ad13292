"""Capacity with two real bot processes: `qunguan run` twice in webhook mode on one PostgreSQL
database, behind a balancer that hands each Telegram update to either; the group never
exceeds its capacity and every freed seat goes to the next request in line."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from handlers.community import seats
from storage.db import Database
from storage.members import MemberRepo
from storage.queue import JoinQueueRepo
from tests.workers.platform import Platform
from tests.workers.processes import Workers, eventually, running_workers

GROUP = -1005550077
CHAT = f"tg:{GROUP}"
CAPACITY, INITIAL, REQUESTS, DEPARTURES = 20, 15, 40, 12
CONFIG = """
telegram: {{base_url: "{base}", mode: webhook, webhook_url: "{hook}"}}
server: {{host: 127.0.0.1, port: {port}}}
storage: {{url: "{db}"}}
playground: {{enabled: false}}
defaults:
  language: en
  policies: {{}}  # capacity alone: no moderation, on purpose
  features:
    capacity: {{enabled: true, capacity: {capacity}}}
"""


@pytest.fixture
async def workers(pg_url: str, tmp_path: Path
                  ) -> AsyncIterator[tuple[Platform, Database, Workers]]:
    platform = Platform(GROUP)
    async with platform, running_workers(platform, tmp_path, CONFIG, db=pg_url,
                                         capacity=CAPACITY) as procs:
        db = Database(pg_url)
        try:
            yield platform, db, procs
        finally:
            await db.dispose()


async def test_two_bot_processes_never_let_the_group_exceed_its_capacity(
        workers: tuple[Platform, Database, Workers]) -> None:
    platform, db, procs = workers

    async def present() -> int:
        async with db.session() as session:
            return sum(m.present for m in await MemberRepo(session).present(CHAT))

    async def seat_count() -> int | None:
        async with db.session() as session:
            return await seats.count(session, CHAT)

    async def waiting() -> list[str]:
        async with db.session() as session:
            return [e.user_id for e in await JoinQueueRepo(session).list(CHAT)]

    for n, uid in enumerate(range(1000, 1000 + INITIAL), 1):  # the group as the bots find it
        platform.join(uid)  # one at a time: the seat count starts from what is stored
        await platform.settle()
        await eventually(lambda n=n: _equals(present, n), f"{n} members stored")

    rng = random.Random(5)
    requests = list(range(2000, 2000 + REQUESTS))
    departures = list(range(1000, 1000 + DEPARTURES))
    traffic = [("ask", uid) for uid in requests] + [("leave", uid) for uid in departures]
    rng.shuffle(traffic)
    for kind, uid in traffic:
        if kind == "ask":
            platform.deliver(platform.join_request(uid))
        else:
            platform.leave(uid)

    async def quiet() -> bool:
        await platform.settle()
        return len(platform.approved) + len(await waiting()) == REQUESTS \
            and len(platform.members) == CAPACITY

    try:
        await eventually(quiet, "every request approved or queued, every seat filled")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: approved {len(platform.approved)}, waiting "
                             f"{len(await waiting())}, members {len(platform.members)}, "
                             f"stored members {await present()}, seats "
                             f"{await seat_count()}") from None
    await platform.settle()

    assert platform.most <= CAPACITY
    assert len(platform.approved) == len(set(platform.approved)) \
        == CAPACITY - INITIAL + DEPARTURES
    queued = await waiting()
    assert not {f"tg:{uid}" for uid in platform.approved} & set(queued)
    assert await seat_count() == CAPACITY
    await procs.stop()  # both exit 0, no traceback logged


async def _equals(value: Callable[[], Awaitable[int]], expected: int) -> bool:
    return await value() == expected
