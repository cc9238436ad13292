"""A raid against a distant Bot API: another chat's verdict latency during it, against the floor.

    python benchmarks/bench_raid.py [--raid 500] [--latency 0.1] [--probes 100] [--repeat 2]

The real ``qunguan run`` process (example config, SQLite, journal), started as an operator
would, polls the stand-in Bot API in this process, which answers every call but getUpdates
after ``--latency``. First the floor: ads in other, quiet chats (warmed up:
their admin lists cached), one every 50 ms, each timed from its feed to its deleteMessages call
(less the one round trip the call itself takes). Then the same probes while ``--raid`` ads from
as many accounts flood one chat. Printed: the probes' p50/p99 with and without the raid, the
deleteMessages calls and notices in the raid chat, and the seconds until all its ads are gone.

Targets (issue 15): all deleted within 10 s, <= 10 deleteMessages calls, <= 3 notices; the other
chats' verdicts within 50 ms + one round trip (p99).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_latency import AD, CHATS, LINES, ROOT, Traffic, ads_of, first_ads, until

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi

RAIDERS = 7_100_000  # sender ids: clear of the stand-in's own bot (an admin: never moderated)
PROBERS = 8_100_000


class Deletions:
    """When each (chat, message) was deleted, read incrementally from the stand-in's record."""

    def __init__(self, api: StandInBotApi) -> None:
        self.api = api
        self.seen = 0
        self.at: dict[tuple[int, int], float] = {}
        self.calls: dict[int, int] = {}

    def update(self) -> dict[tuple[int, int], float]:
        calls = self.api.calls
        for call in calls[self.seen:]:
            if call.method == "deleteMessages":
                chat = int(call.params["chat_id"])
                self.calls[chat] = self.calls.get(chat, 0) + 1
                for message in call.params["message_ids"]:
                    self.at.setdefault((chat, int(message)), call.at)
        self.seen = len(calls)
        return self.at


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def probe(api: StandInBotApi, gone: Deletions, traffic: Traffic, chats: list[int],
                count: int, latency: float, stop: Any = None) -> list[float]:
    """Ads in the quiet chats, one every 50 ms, round robin; seconds from feed to deletion,
    less one round trip. With ``stop``: until it is true (at least ``count``)."""
    took: list[float] = []
    i = 0
    ends = time.monotonic() + 60
    while (i < count or (stop is not None and not stop())) and time.monotonic() < ends:
        chat = chats[i % len(chats)]
        update = traffic.message(chat, PROBERS + i, AD)
        key = (chat, update["message"]["message_id"])
        fed = time.monotonic()
        await api.feed(update)
        await until(lambda k=key: k in gone.update(), 30)
        took.append(gone.at[key] - fed - latency)
        i += 1
        await asyncio.sleep(0.05)
    return took


@contextlib.asynccontextmanager
async def bot_process(api: StandInBotApi, folder: Path) -> AsyncIterator[None]:
    """``qunguan run`` with the example config, polling ``api``; stopped (SIGTERM) after."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:BENCH",
           "QUNGUAN_TELEGRAM_BASE_URL": api.base_url,
           "QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'q.db'}"}
    env.pop("TELEGRAM_WEBHOOK_SECRET", None)
    log = folder / "bot.log"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "run",
        "--config", str(ROOT / "config.example.yaml"), "--port", "0",
        cwd=str(ROOT), env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=open(log, "w"))  # noqa: SIM115, ASYNC230 (the child's log)
    try:
        async with asyncio.timeout(60):
            while not api.of("getUpdates"):
                if process.returncode is not None:
                    raise RuntimeError("qunguan run exited:\n" + log.read_text()[-3000:])
                await asyncio.sleep(0.05)
        yield
    finally:
        if process.returncode is None:
            process.terminate()
        async with asyncio.timeout(60):
            await process.wait()


async def quiet_for(api: StandInBotApi, seconds: float, within: float = 30) -> None:
    """Until the bot has made no call but getUpdates for ``seconds`` (at most ``within``)."""
    ends = time.monotonic() + within
    while time.monotonic() < ends:
        calls = [c for c in api.calls if c.method != "getUpdates"]
        if not calls or time.monotonic() - calls[-1].at >= seconds:
            return
        await asyncio.sleep(0.1)


async def warm_up(api: StandInBotApi, traffic: Traffic, quiet: list[int]) -> None:
    """Ads and lines in a chat of their own (models loaded, patterns compiled), then a
    member's line in each quiet chat (their admin lists cached)."""
    await first_ads(api, 60)
    await api.feed(*[traffic.message(chat, PROBERS - 1 - n, LINES[n % len(LINES)])
                     for n, chat in enumerate(quiet)])
    await quiet_for(api, 1.0)


async def measure(size: int, latency: float, probes: int, folder: Path) -> dict[str, Any]:
    """The floor's probes, then a raid of ``size`` ads in one chat with probes meanwhile."""
    traffic = Traffic()
    target, quiet = CHATS[0], CHATS[1:41]  # an ad or two each: no burst of their own
    assert not {RAIDERS, RAIDERS + size, PROBERS, PROBERS + 10 * probes} & {BOT_ID}
    async with StandInBotApi(latency=latency) as api:
        async with bot_process(api, folder):
            await warm_up(api, traffic, quiet)
            gone = Deletions(api)
            floor = await probe(api, gone, traffic, quiet, probes, latency)
            await asyncio.sleep(1.0)
            burst = [traffic.message(target, RAIDERS + i, AD) for i in range(size)]
            wanted = ads_of(burst)
            started = time.monotonic()
            await api.feed(*burst)
            during = await probe(api, gone, traffic, quiet, probes, latency,
                                 stop=lambda: wanted <= gone.update().keys())
            with contextlib.suppress(TimeoutError):
                await until(lambda: wanted <= gone.update().keys(), 30)
            await quiet_for(api, 2.0)
        gone.update()  # a stop posts the summary of a raid still on: counted
        notices = [c for c in api.of("sendMessage") if int(c["chat_id"]) == target]
        bans = [c for c in api.of("banChatMember") if int(c["chat_id"]) == target]
    return {"floor": floor, "during": during, "deleted": len(wanted & gone.at.keys()),
            "deleted_in": max((gone.at[k] for k in wanted & gone.at.keys()),
                              default=float("nan")) - started,
            "delete_calls": gone.calls.get(target, 0), "notices": len(notices),
            "bans": len(bans)}


def report(size: int, latency: float, figures: dict[str, Any]) -> None:
    floor, during = figures["floor"], figures["during"]
    ms = 1000.0
    print(f"raid of {size} ads from {size} accounts in one chat, Bot API at {latency * ms:.0f} ms:"
          f" {figures['deleted']} deleted within {figures['deleted_in']:.2f} s (target: all within"
          f" 10 s), {figures['delete_calls']} deleteMessages calls (<= 10),"
          f" {figures['notices']} notices (<= 3), {figures['bans']} bans")
    print(f"  other chats' verdicts beyond one round trip:"
          f" floor (no raid) p50 {statistics.median(floor) * ms:5.1f} ms"
          f" p90 {quantile(floor, 0.9) * ms:5.1f} ms"
          f" p99 {quantile(floor, 0.99) * ms:5.1f} ms ({len(floor)} ads);"
          f" during the raid p50 {statistics.median(during) * ms:5.1f} ms"
          f" p90 {quantile(during, 0.9) * ms:5.1f} ms"
          f" p99 {quantile(during, 0.99) * ms:5.1f} ms ({len(during)} ads)"
          f" = {quantile(during, 0.99) / max(quantile(floor, 0.99), 1e-6):.1f} x floor p99"
          f" (target p99 <= 50 ms)")
    slowest = sorted(range(len(during)), key=during.__getitem__, reverse=True)[:3]
    print("  slowest during the raid: " + ", ".join(
        f"probe {i + 1} {during[i] * ms:.1f} ms" for i in slowest)
        + " (probe 1 is fed right behind the burst)")


async def main(args: argparse.Namespace) -> int:
    for run in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            figures = await measure(args.raid, args.latency, args.probes, Path(tmp))
        print(f"run {run + 1}:", flush=True)
        report(args.raid, args.latency, figures)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raid", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2)
    sys.exit(asyncio.run(main(parser.parse_args())))
