"""Capacity with two real bot processes: `qunguan run` twice in webhook mode on one PostgreSQL
database, behind a balancer that hands each Telegram update to either; the group never
exceeds its capacity and every freed seat goes to the next request in line."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.standin import StandInBotApi
from handlers.community import seats
from storage.db import Database
from storage.members import MemberRepo
from storage.queue import JoinQueueRepo

ROOT = Path(__file__).resolve().parents[2]
GROUP = -1005550077
CHAT = f"tg:{GROUP}"
SECRET = "balancer-secret"
QUNGUAN = str(Path(sys.executable).parent / "qunguan")  # the console script, as deployed
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


def person(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"user{uid}"}


class Platform(StandInBotApi):
    """Telegram for two workers: who is in the group, and a balancer delivering each update
    (also the join that follows an approval) to a worker chosen at random."""

    def __init__(self) -> None:
        super().__init__()
        self.members: set[int] = set()
        self.most = 0
        self.approved: list[int] = []
        self.webhooks: list[str] = []
        self.deliveries: list[asyncio.Task[None]] = []
        self._update_ids = iter(range(1, 10**6))
        self._rng = random.Random(7)

    def member_change(self, uid: int, old: str, new: str) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "chat_member": {
            "chat": {"id": GROUP, "type": "supergroup", "title": "full group"},
            "from": person(uid), "date": int(time.time()),
            "old_chat_member": {"status": old, "user": person(uid)},
            "new_chat_member": {"status": new, "user": person(uid)}}}

    def join_request(self, uid: int) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "chat_join_request": {
            "chat": {"id": GROUP, "type": "supergroup", "title": "full group"},
            "from": person(uid), "user_chat_id": uid, "date": int(time.time())}}

    def deliver(self, update: dict[str, Any]) -> None:
        async def post() -> None:
            await asyncio.sleep(self._rng.random() * 0.05)
            url = self._rng.choice(self.webhooks)
            status = await self.post_update(url, update, SECRET)
            assert status == 200, f"{url} answered {status}"

        self.deliveries.append(asyncio.create_task(post()))

    def join(self, uid: int) -> None:
        self.members.add(uid)
        self.most = max(self.most, len(self.members))
        self.deliver(self.member_change(uid, "left", "member"))

    def leave(self, uid: int) -> None:
        self.members.discard(uid)
        self.deliver(self.member_change(uid, "member", "left"))

    async def _result(self, method: str, p: dict[str, Any]) -> Any:
        if method == "approveChatJoinRequest":
            self.approved.append(int(p["user_id"]))
            self.join(int(p["user_id"]))
        return await super()._result(method, p)

    async def settle(self) -> None:
        while self.deliveries:
            await self.deliveries.pop(0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def eventually(check: Callable[[], Awaitable[bool]], what: str,
                     within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {within:.0f} s: {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
async def workers(pg_url: str, tmp_path: Path
                  ) -> AsyncIterator[tuple[Platform, Database, list[asyncio.subprocess.Process]]]:
    async with Platform() as platform:
        procs: list[asyncio.subprocess.Process] = []
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
               "TELEGRAM_WEBHOOK_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
        for n in range(2):
            port = free_port()
            hook = f"http://127.0.0.1:{port}/telegram/webhook"
            path = tmp_path / f"worker{n}.yaml"
            path.write_text(CONFIG.format(base=platform.base_url, hook=hook, port=port,
                                          db=pg_url, capacity=CAPACITY), encoding="utf-8")
            platform.webhooks.append(hook)
            procs.append(await asyncio.create_subprocess_exec(
                QUNGUAN, "run", "--config", str(path), cwd=tmp_path,
                env=env, stdout=asyncio.subprocess.DEVNULL, stderr=(tmp_path / f"w{n}.log")
                .open("wb")))
        db = Database(pg_url)
        try:
            await platform.wait_for("setWebhook", 2, within=90)
            for hook in platform.webhooks:
                await eventually(lambda hook=hook: _listening(hook), f"{hook} listening")
            yield platform, db, procs
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    await asyncio.wait_for(proc.wait(), 30)
                except TimeoutError:
                    proc.kill()
            await db.dispose()


async def _listening(url: str) -> bool:
    host, port = url.split("/")[2].split(":")
    try:
        _, writer = await asyncio.open_connection(host, int(port))
    except OSError:
        return False
    writer.close()
    return True


async def test_two_bot_processes_never_let_the_group_exceed_its_capacity(
        workers: tuple[Platform, Database, list[asyncio.subprocess.Process]],
        tmp_path: Path) -> None:
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
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    assert [await asyncio.wait_for(p.wait(), 30) for p in procs] == [0, 0]
    for n in range(2):
        log = (tmp_path / f"w{n}.log").read_text(encoding="utf-8")
        assert "Traceback" not in log, log


async def _equals(value: Callable[[], Awaitable[int]], expected: int) -> bool:
    return await value() == expected
