"""One `qunguan run` worker against two behind a random balancer, on PostgreSQL and Redis: the
CPU each worker spends on the same traffic, and the wall-clock time (skipped without them).

    python benchmarks/bench_workers.py [--messages 1800] [--chats 20] [--ads 0.25] [--rounds 3]

Capacity is what a worker sustains under load, so the default is 1,800 updates (90 per chat
for new members, 30 chats of repeat posters): a worker reads a chat's state (known members,
learned domains, options, admins) once per chat and cache lifetime, and with 600 updates a
good part of the second worker's extra CPU was those first reads of cold chats (``--messages
600`` shows it: new members 1.65-1.75x there).

Two kinds of traffic, each run with one worker and with two (each setup with a fresh database
and its own Redis database, so its own coherence channel: the setups never hear each other's
warns and raid switches): ``new``, a new member for every message (no cache can help), and
``repeat``, 12 members per chat posting 5 times each (member snapshots, daily tallies and chat
state are cached, and with two workers each worker loads its own).

How CPU is measured: each worker is a separate process; its user + system CPU seconds are read
from ``/proc/<pid>/stat`` (utime + stime, in clock ticks) after the worker has handled a warm-up
(20 messages in a chat of its own, which pays for lazy imports and first calls) and sat idle
for ``--idle`` seconds (its background work per second is printed: ~0), and again once the last
update was answered (a webhook answers 200 only when its effects are durable) and every ad was
deleted, before the worker is stopped (its shutdown is not counted). The difference, summed
over the workers and divided by the number of messages, is the work per update; PostgreSQL's
transactions per update in the setup's database (``pg_stat_database``) are printed beside it.
If each worker had a core of its own, two workers would handle ``2 x cpu_per_update(one) /
cpu_per_update(two)`` times what one handles: the capacity ratio (2.0 if the second worker
duplicated no work: claims, cache loads, flushes, Redis round trips).

How load is kept equal: in the rounds' main runs the one-worker setup and the two-worker setup
get the same traffic at the same time ("at the same time": both start on a barrier), so the
load other processes put on the machine falls on both alike; CPU seconds of a process grow
with the contention it meets (caches, shared cores), and runs one after the other on this
machine differed by up to 40 % for the same setup. The first round also runs them one after
the other, for the wall-clock comparison; the medians over the rounds are printed last.

Why wall-clock cannot show scaling here: this machine has 2 cores, and the load driver and the
stand-in Bot API (this process), PostgreSQL, Redis and the workers all share them. The busy
fraction of both cores (``/proc/stat``, whole machine, over the traffic) is printed: it is
~100 % already with one worker, so a second worker only takes cores from the driver and the
servers, and messages per second stays flat or moves with the other load (0.66-1.77x
measured) whatever the workers' own efficiency. The driver's own CPU (``time.process_time``)
is printed to show its share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis.exceptions import RedisError  # noqa: E402
from sqlalchemy import text  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.testing import PG_URL  # noqa: E402
from tests.workers.conftest import REDIS_URL  # noqa: E402
from tests.workers.platform import Platform  # noqa: E402
from tests.workers.processes import eventually, moderation_workers  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def update(n: int, chat: int, uid: int, body: str) -> dict[str, Any]:
    return {"update_id": n, "message": {
        "message_id": n, "from": {"id": uid, "is_bot": False, "first_name": f"u{uid}"},
        "chat": {"id": chat, "type": "supergroup", "title": "bench"},
        "date": int(time.time()), "text": body}}


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat, after the name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores so far (/proc/stat's first line)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def traffic(kind: str, args: argparse.Namespace) -> list[tuple[int, int, str]]:
    """(chat, member, text) per message, ``--ads`` of them ads: ``new``, a new member per
    message over ``--chats`` chats; ``repeat``, 12 members per chat posting 5 times each (as
    many chats as that takes for ``--messages``), in a shuffled order."""
    rng = random.Random(3)
    if kind == "new":
        senders = [(rng.randrange(args.chats), 10_000 + n) for n in range(args.messages)]
    else:
        chats = max(1, args.messages // 60)
        senders = [(c, 20_000 + c * 12 + m) for c in range(chats) for m in range(12)] * 5
        rng.shuffle(senders)
    out = []
    for n, (index, uid) in enumerate(senders[:args.messages], 1):
        body = f"加薇信 bench{n}x 领取福利" if rng.random() < args.ads \
            else f"an ordinary remark number {n} about the course"
        out.append((-1009000000 - index, uid, body))
    return out


class Driver(Platform):
    """Delivers updates through the balancer and knows which ads are deleted."""

    async def send(self, updates: list[dict[str, Any]], ads: set[int]) -> None:
        for item in updates:
            self.deliver(item)
        await self.settle()  # every update answered 200: durable
        await eventually(lambda: _all(self, ads), "every ad deleted", 600)


async def _all(driver: Driver, ads: set[int]) -> bool:
    return ads <= set(driver.deleted())


async def transactions(pg_url: str) -> int:
    """Transactions committed or rolled back in the benchmark's database so far (PostgreSQL's
    statistics, which backends report within a second of going idle)."""
    admin = Database(PG_URL)
    try:
        async with admin.engine.connect() as conn:
            return int((await conn.execute(text(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :d"),
                {"d": pg_url.rsplit("/", 1)[1]})).scalar_one())
    finally:
        await admin.dispose()


async def run(workers: int, kind: str, args: argparse.Namespace, pg_url: str,
              redis_url: str, together: asyncio.Barrier | None = None) -> dict[str, float]:
    """One setup's figures; with ``together``, its traffic starts with the other setup's."""
    platform = Driver()
    async with platform:
        from redis.asyncio import Redis

        redis = Redis.from_url(redis_url)
        await redis.flushdb()
        await redis.aclose()
        with tempfile.TemporaryDirectory() as tmp:
            async with moderation_workers(platform, Path(tmp), pg_url, redis_url,
                                          count=workers) as running:
                procs = running.procs
                warm = [update(10**6 + n, -1008000000, 30_000 + n % 5, f"加薇信 warm{n}x 福利")
                        for n in range(20)]
                await platform.send(warm, {10**6 + n for n in range(20)})
                plan = traffic(kind, args)
                updates = [update(n, chat, uid, body)
                           for n, (chat, uid, body) in enumerate(plan, 1)]
                ads = {n for n, (_, _, body) in enumerate(plan, 1) if body.startswith("加")}
                if together is not None:
                    await together.wait()
                idle0 = [cpu_seconds(p.pid) for p in procs]
                await asyncio.sleep(args.idle)  # the workers' own background (flush, bus)
                cpu0 = [cpu_seconds(p.pid) for p in procs]
                idle = sum(c - i for c, i in zip(cpu0, idle0, strict=True)) / args.idle
                xact0 = await transactions(pg_url)
                busy0, total0 = machine_ticks()
                mine0, started = time.process_time(), time.perf_counter()
                await platform.send(updates, ads)
                wall = time.perf_counter() - started
                cpu = sum(cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0, strict=True))
                busy1, total1 = machine_ticks()
                await asyncio.sleep(1.5)
                xacts = await transactions(pg_url) - xact0
                figures = {"wall": wall, "cpu": cpu, "idle": idle, "xacts": xacts,
                           "driver": time.process_time() - mine0,
                           "busy": (busy1 - busy0) / max(1, total1 - total0)}
                await running.stop()  # its shutdown is not counted
                return figures


async def fresh_database() -> tuple[str, Database]:
    name = f"qg_bench_{uuid.uuid4().hex[:8]}"
    admin = Database(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    return f"{PG_URL.rsplit('/', 1)[0]}/{name}", admin


async def measure(kind: str, args: argparse.Namespace, paired: bool
                  ) -> dict[int, dict[str, float]]:
    """One worker and two on the same traffic, each setup with its own database and Redis
    database: ``paired``, both setups at the same time (the machine's load falls on both
    alike: the CPU comparison), else one after the other (the wall-clock comparison)."""
    made = [await fresh_database() for _ in (1, 2)]
    together = asyncio.Barrier(2) if paired else None
    try:
        runs = [run(workers, kind, args, url, f"{REDIS_URL.rsplit('/', 1)[0]}/{12 + workers}",
                    together) for workers, (url, _) in zip((1, 2), made, strict=True)]
        if paired:
            one, two = await asyncio.gather(*runs)
        else:
            one, two = await runs[0], await runs[1]
        return {1: one, 2: two}
    finally:
        for url, admin in made:
            async with admin.engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"'
                                        " WITH (FORCE)"))
            await admin.dispose()


def report(kind: str, round_: int, paired: bool, figures: dict[int, dict[str, float]],
           args: argparse.Namespace, ratios: dict[str, list[float]]) -> None:
    how = "at the same time" if paired else "one after the other"
    for workers, f in figures.items():
        print(f"  {kind} #{round_} ({how}), {workers} worker(s): workers' CPU {f['cpu']:.2f}"
              f" s = {f['cpu'] / args.messages * 1e3:.2f} ms/update, "
              f"{f['xacts'] / args.messages:.2f} transactions/update; wall {f['wall']:.1f} s "
              f"({args.messages / f['wall']:.0f} msg/s); driver CPU {f['driver']:.1f} s; "
              f"both cores {f['busy']:.0%} busy; idle workers {f['idle'] * 1e3:.0f} ms/s",
              flush=True)
    one, two = figures[1], figures[2]
    if paired:
        ratios.setdefault(kind, []).append(2 * one["cpu"] / two["cpu"])
    else:
        ratios.setdefault(kind + " wall", []).append(one["wall"] / two["wall"])
    print(f"{kind} #{round_} ({how}): CPU per update two/one {two['cpu'] / one['cpu']:.2f}; "
          f"capacity of two workers = {2 * one['cpu'] / two['cpu']:.2f}x one (a core each); "
          f"wall-clock {one['wall'] / two['wall']:.2f}x", flush=True)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1800)
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--ads", type=float, default=0.25)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kinds", default="new,repeat")
    parser.add_argument("--idle", type=float, default=3.0)
    args = parser.parse_args()
    print(f"{args.messages} messages over {args.chats} chats ({args.ads:.0%} ads); "
          f"{os.cpu_count()} CPUs here")
    ratios: dict[str, list[float]] = {}
    for round_ in range(1, args.rounds + 1):  # interleaved: the machine's load drifts
        for kind in args.kinds.split(","):
            for paired in (True, False) if round_ == 1 else (True,):
                try:
                    figures = await measure(kind, args, paired)
                except (ConnectionError, RedisError) as exc:
                    print(f"skipped: PostgreSQL or Redis not reachable: {exc!r}")
                    return 0
                report(kind, round_, paired, figures, args, ratios)
    for kind in args.kinds.split(","):
        print(f"{kind}, median of {args.rounds} paired runs: capacity of two workers "
              f"{statistics.median(ratios[kind]):.2f}x one (floor 1.8); wall-clock "
              f"{statistics.median(ratios[kind + ' wall']):.2f}x (one run after the other)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
