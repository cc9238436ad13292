"""A raid against a distant Bot API: another chat's verdict latency during it, against the floor.

    python benchmarks/bench_raid.py [--raid 500] [--latency 0.1] [--probes 60] [--repeat 2]

The whole app (example config, SQLite, journal) polls the stand-in Bot API, which answers every
call but getUpdates after ``--latency``. First the floor: ads in other, quiet chats (warmed up:
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
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_latency import AD, CHATS, LINES, Traffic, ads_of, config_for, until, warm_up

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
        await until(lambda k=key: k in gone.update(), 30)  # type: ignore[misc]
        took.append(gone.at[key] - fed - latency)
        i += 1
        await asyncio.sleep(0.05)
    return took


async def measure(size: int, latency: float, probes: int, folder: Path) -> dict[str, Any]:
    """The floor's probes, then a raid of ``size`` ads in one chat with probes meanwhile."""
    from bot.app import running_app

    traffic = Traffic()
    target, quiet = CHATS[0], CHATS[1:41]  # an ad or two each: no burst of their own
    assert not {RAIDERS, RAIDERS + size, PROBERS, PROBERS + 10 * probes} & {BOT_ID}
    async with StandInBotApi(latency=latency) as api:
        config, env = config_for(api, folder)
        async with running_app(config, env=env, port=0) as app:
            await api.wait_for("getUpdates")
            await warm_up(api, app)
            processor = app.services.extras["telegram"].processor  # type: ignore[union-attr]
            hello = [traffic.message(chat, PROBERS - 1 - n, LINES[n % len(LINES)])
                     for n, chat in enumerate(quiet)]  # a member's line: admin lists cached
            before = processor.handled
            await api.feed(*hello)
            await until(lambda: processor.handled - before >= len(hello))
            await asyncio.sleep(1.0)  # handled: taken in, their first sight still running
            await app.settle()
            gone = Deletions(api)
            floor = await probe(api, gone, traffic, quiet, probes, latency)
            await asyncio.sleep(1.0)
            burst = [traffic.message(target, RAIDERS + i, AD) for i in range(size)]
            wanted = ads_of(burst)  # update ids after the floor's (offsets only grow)
            started = time.monotonic()
            await api.feed(*burst)
            during = await probe(api, gone, traffic, quiet, probes, latency,
                                 stop=lambda: wanted <= gone.update().keys())
            with contextlib.suppress(TimeoutError):
                await until(lambda: wanted <= gone.update().keys(), 30)
            await app.settle()
        gone.update()
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
    parser.add_argument("--probes", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=2)
    sys.exit(asyncio.run(main(parser.parse_args())))
