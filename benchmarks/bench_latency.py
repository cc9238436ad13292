"""The update path against a distant Bot API: the whole app (example config, SQLite) polling the
stand-in with every call but getUpdates answered after 0 and after 100 ms, beside a no-op
python-telegram-bot on the same stand-in (the floor), in one run.

    python benchmarks/bench_latency.py [--messages 1000] [--latency 0.1]

Target (issue 15): throughput at 100 ms >= 0.5 x at 0 ms. A raid, and other chats' verdicts
during it, are measured by benchmarks/bench_raid.py (the real process, 100 probes, against the
same probes without a raid).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.adapters.telegram.standin import StandInBotApi  # noqa: E402

CHATS = [-1002000000001 - i for i in range(50)]
LINES = ["今天的作业大家做完了吗", "这个问题我也遇到过，重启一下就好了", "周末有人一起去爬山吗",
         "谢谢分享，很有用", "下午三点开会，别忘了", "has anyone tried the new release?",
         "thanks, that fixed it for me", "meeting moved to 3pm tomorrow"]
AD, URL = "加我薇信 abc12345 领取福利 t.me/spamchan", "t.me/spamchan"
WITHIN = 180.0  # seconds any one phase may take


class Traffic:
    def __init__(self) -> None:
        self.rng = random.Random(15)
        self.update_ids = itertools.count(1000)  # after the warm-up's (offsets only grow)
        self.message_ids = itertools.count(10)

    def message(self, chat: int, user: int, text: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": next(self.message_ids), "date": int(time.time()), "text": text,
            "from": {"id": user, "is_bot": False, "first_name": f"m{user}"},
            "chat": {"id": chat, "type": "supergroup", "title": f"group {chat}"}}
        if URL in text:
            offset = len(text[: text.index(URL)].encode("utf-16-le")) // 2
            body["entities"] = [{"type": "url", "offset": offset, "length": len(URL)}]
        return {"update_id": next(self.update_ids), "message": body}

    def mixed(self, n: int) -> list[dict[str, Any]]:
        """``n`` messages over 50 chats, ~5 % ads (the last one an ad)."""
        out = []
        for i in range(n):
            chat = self.rng.choice(CHATS)
            user = 5_000_000 + self.rng.randrange(500)
            is_ad = i == n - 1 or self.rng.random() < 0.05
            text = AD if is_ad else self.rng.choice(LINES) + f" #{self.rng.randrange(999)}"
            out.append(self.message(chat, user, text))
        return out


def ads_of(updates: list[dict[str, Any]]) -> set[tuple[int, int]]:
    return {(u["message"]["chat"]["id"], u["message"]["message_id"])
            for u in updates if URL in u["message"]["text"]}


def deleted(api: StandInBotApi) -> set[tuple[int, int]]:
    return {(int(c["chat_id"]), int(m)) for c in api.of("deleteMessages")
            for m in c["message_ids"]}


async def until(condition: Any, within: float = WITHIN) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 (polls the stand-in's record, as a client would)
            await asyncio.sleep(0.005)


async def floor(updates: list[dict[str, Any]]) -> float:
    """A no-op python-telegram-bot Application: seconds to take ``updates`` in."""
    from telegram.ext import ApplicationBuilder, TypeHandler

    seen = 0

    async def noop(update: object, context: object) -> None:
        nonlocal seen
        seen += 1

    async with StandInBotApi() as api:
        application = ApplicationBuilder().token("123456:FLOOR").base_url(api.base_url).build()
        application.add_handler(TypeHandler(object, noop))
        await application.initialize()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=10)
        await application.start()
        await api.wait_for("getUpdates")
        started = time.perf_counter()
        await api.feed(*updates)
        await until(lambda: seen >= len(updates))
        took = time.perf_counter() - started
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    return took


def config_for(api: StandInBotApi, folder: Path) -> tuple[Any, dict[str, str]]:
    from bot.config import load_config

    env = {"TELEGRAM_BOT_TOKEN": "123456:BENCH", "QUNGUAN_TELEGRAM_BASE_URL": api.base_url,
           "QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'q.db'}"}
    config = load_config(ROOT / "config.example.yaml", env=env)
    app = config.app
    return replace(config, app=app.model_copy(update={
        "playground": app.playground.model_copy(update={"enabled": False})})), env


async def first_ads(api: StandInBotApi, within: float = WITHIN) -> None:
    """A few ads and lines in a chat of their own, until the ads are deleted: first calls load
    models and compile patterns (the first ad's policies can take longer than their timeout)."""
    traffic = Traffic()
    traffic.update_ids = itertools.count(1)
    traffic.message_ids = itertools.count(10_000_000)
    first = [traffic.message(-1009999999999, 9_000_000 + i, AD if i % 2 else LINES[i])
             for i in range(6)]
    await api.feed(*first)
    await until(lambda: ads_of(first) <= deleted(api), within)


async def warm_up(api: StandInBotApi, app: Any) -> None:
    """``first_ads``, then everything they left to do."""
    await first_ads(api)
    await app.settle()


async def ours(updates: list[dict[str, Any]], latency: float, folder: Path) -> float:
    """The app: seconds until every update is handled and every ad deleted."""
    from bot.app import running_app

    wanted = ads_of(updates)
    async with StandInBotApi(latency=latency) as api:
        config, env = config_for(api, folder)
        async with running_app(config, env=env, port=0) as app:
            processor = app.services.extras["telegram"].processor  # type: ignore[union-attr]
            await api.wait_for("getUpdates")
            await warm_up(api, app)
            handled = processor.handled
            started = time.perf_counter()
            await api.feed(*updates)
            await until(lambda: processor.handled - handled >= len(updates)
                        and wanted <= deleted(api))
            return time.perf_counter() - started


async def main(args: argparse.Namespace) -> int:
    updates = Traffic().mixed(args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = await floor(updates)
        (folder / "a").mkdir()
        at_zero = await ours(Traffic().mixed(args.messages), 0.0, folder / "a")
        (folder / "b").mkdir()
        at_latency = await ours(Traffic().mixed(args.messages), args.latency, folder / "b")
    n = args.messages
    print(f"{n} messages over {len(CHATS)} chats, ~5 % ads")
    print(f"  floor (no-op PTB, 0 ms)   {base:7.2f} s  {n / base:8.0f} msg/s")
    print(f"  ours at 0 ms              {at_zero:7.2f} s  {n / at_zero:8.0f} msg/s"
          f"  = {base / at_zero:.2f} x floor")
    print(f"  ours at {args.latency * 1000:.0f} ms            {at_latency:7.2f} s"
          f"  {n / at_latency:8.0f} msg/s  = {base / at_latency:.2f} x floor,"
          f" {at_zero / at_latency:.2f} x ours at 0 ms (target >= 0.5)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    sys.exit(asyncio.run(main(parser.parse_args())))
