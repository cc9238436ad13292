"""One `qunguan run` worker against two behind a random balancer, on PostgreSQL and Redis: the
time from the first update to the last ad deleted, for the same traffic (skipped without them).

    python benchmarks/bench_workers.py [--messages 600] [--chats 20] [--ads 0.25]

This machine (2 CPUs shared by the workers, PostgreSQL, Redis, and the stand-in with the
balancer in this process): 600 messages 8.5 s with one worker, 10.1 s with two (0.84x); 1,000
messages 8.2 s and 8.4 s (0.98x). Two workers add availability here, not throughput: the
driver and the servers already fill both cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.testing import PG_URL  # noqa: E402
from tests.community.test_capacity_processes import (  # noqa: E402
    SECRET,
    Platform,
    _listening,
    eventually,
    free_port,
)
from tests.workers.conftest import REDIS_URL  # noqa: E402
from tests.workers.test_two_workers import CONFIG, MODERATOR, QUNGUAN  # noqa: E402


def update(n: int, chat: int, uid: int, body: str) -> dict[str, Any]:
    return {"update_id": n, "message": {
        "message_id": n, "from": {"id": uid, "is_bot": False, "first_name": f"u{uid}"},
        "chat": {"id": chat, "type": "supergroup", "title": "bench"},
        "date": int(time.time()), "text": body}}


async def run(workers: int, args: argparse.Namespace, pg_url: str) -> float:
    platform = Platform()
    async with platform:
        from redis.asyncio import Redis

        redis = Redis.from_url(REDIS_URL)
        await redis.flushdb()
        await redis.aclose()
        procs = []
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
               "TELEGRAM_WEBHOOK_SECRET": SECRET, "PYTHONPATH": str(ROOT),
               "QUNGUAN_REDIS_URL": REDIS_URL}
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(workers):
                port = free_port()
                hook = f"http://127.0.0.1:{port}/telegram/webhook"
                path = Path(tmp) / f"w{n}.yaml"
                path.write_text(CONFIG.format(base=platform.base_url, hook=hook, port=port,
                                              db=pg_url, moderator=MODERATOR), encoding="utf-8")
                platform.webhooks.append(hook)
                procs.append(await asyncio.create_subprocess_exec(
                    QUNGUAN, "run", "--config", str(path), cwd=tmp, env=env,
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL))
            try:
                await platform.wait_for("setWebhook", workers, within=90)
                for hook in platform.webhooks:
                    await eventually(partial(_listening, hook), "listening")
                rng = random.Random(3)
                ads = set()
                started = time.perf_counter()
                for n in range(1, args.messages + 1):
                    chat = -1009000000 - rng.randrange(args.chats)
                    uid = 10_000 + n
                    if rng.random() < args.ads:
                        ads.add(n)
                        body = f"加薇信 bench{n}x 领取福利"
                    else:
                        body = f"an ordinary remark number {n} about the course"
                    platform.deliver(update(n, chat, uid, body))
                await platform.settle()

                async def done() -> bool:
                    deleted = {int(p["message_id"]) for p in platform.of("deleteMessage")}
                    for call in platform.of("deleteMessages"):
                        deleted.update(int(i) for i in call["message_ids"])
                    return ads <= deleted

                await eventually(done, "every ad deleted", 600)
                return time.perf_counter() - started
            finally:
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                for proc in procs:
                    await asyncio.wait_for(proc.wait(), 60)


async def fresh_database() -> tuple[str, Database]:
    name = f"qg_bench_{uuid.uuid4().hex[:8]}"
    admin = Database(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    return f"{PG_URL.rsplit('/', 1)[0]}/{name}", admin


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--ads", type=float, default=0.25)
    args = parser.parse_args()
    figures = {}
    for workers in (1, 2):
        try:
            url, admin = await fresh_database()
        except Exception as exc:
            print(f"skipped: PostgreSQL not reachable at {PG_URL}: {exc}")
            return 0
        try:
            figures[workers] = await run(workers, args, url)
        except OSError as exc:
            print(f"skipped: Redis not reachable at {REDIS_URL}: {exc}")
            return 0
        finally:
            async with admin.engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"'
                                        " WITH (FORCE)"))
            await admin.dispose()
        print(f"{workers} worker(s): {args.messages} messages over {args.chats} chats "
              f"({args.ads:.0%} ads) handled in {figures[workers]:.1f} s = "
              f"{args.messages / figures[workers]:.0f} msg/s", flush=True)
    print(f"two workers / one: {figures[1] / figures[2]:.2f}x the throughput "
          f"({os.cpu_count()} CPUs here)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
