"""Fuzzed updates per second through the edge (shape check, parse, map) on both platforms,
against the floor measured in the same run: python-telegram-bot parsing the same raw updates
(Telegram), JSON decoding of the same frames (OneBot). With ``--app N`` also N fuzzed Telegram
updates through the whole app and a stand-in Bot API: ERROR lines, tracebacks, log bytes.

    python benchmarks/bench_fuzz.py [--updates 20000] [--app 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import io
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.adapters.mutate import Mutator  # noqa: E402
from bot.adapters.onebot import v11, v12  # noqa: E402
from bot.adapters.onebot.validate import problem as onebot_problem  # noqa: E402
from bot.adapters.telegram.intake import Intake  # noqa: E402
from bot.adapters.telegram.mapping import MapContext, map_update  # noqa: E402
from bot.adapters.telegram.validate import problem as telegram_problem  # noqa: E402
from bot.faults import Faults  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


def telegram_shapes() -> list[dict[str, Any]]:
    shapes: list[dict[str, Any]] = []
    for path in sorted((FIXTURES / "telegram").glob("*.json")):
        if path.stem == "malformed":
            continue
        data = json.loads(path.read_text("utf-8"))
        shapes.extend(d for d in (data if isinstance(data, list) else [data])
                      if isinstance(d, dict) and isinstance(d.get("update_id"), int))
    poisoned = copy.deepcopy(next(s for s in shapes if "message" in s and "from" in s["message"]))
    poisoned["message"]["from"]["id"] = [1, "x"]
    return [*shapes, poisoned]


def onebot_shapes(version: int) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8"))
            for p in sorted((FIXTURES / "onebot").glob(f"v{version}_*.json"))]


def best_of(rounds: int, run: Callable[[list[Any]], object], text: str) -> float:
    """The fastest of ``rounds`` runs, each on its own fresh copy of the payloads (parsing
    python-telegram-bot objects consumes the dicts it reads)."""
    times = []
    for _ in range(rounds):
        items = json.loads(text)
        started = time.perf_counter()
        run(items)
        times.append(time.perf_counter() - started)
    return min(times)


def telegram_edge(raws: list[dict[str, Any]]) -> tuple[float, float, dict[str, int]]:
    quiet = Faults(logger=logging.getLogger("bench.quiet"))
    ctx = MapContext("qunguan_bench_bot")
    text = json.dumps(raws)

    def ours(items: list[Any]) -> None:
        intake = Intake(quiet)
        for raw in items:
            update = intake.parse(raw, None)
            if update is not None:
                map_update(update, ctx, quiet)

    def floor(items: list[Any]) -> None:  # what python-telegram-bot spends anyway
        for raw in items:
            try:
                Update.de_json(raw, None)
            except Exception:  # the floor only pays the parse
                continue

    ours(json.loads(text))
    counts = dict(quiet.counts)
    return best_of(3, ours, text), best_of(3, floor, text), counts


def onebot_edge(frames: list[tuple[int, str]]) -> tuple[float, float, int]:
    mappers = {11: v11.map_event, 12: v12.map_event}
    skipped = 0

    def ours(_: object) -> None:
        nonlocal skipped
        skipped = 0
        for version, frame in frames:
            event = json.loads(frame)
            if onebot_problem(event, version) is not None:
                skipped += 1
                continue
            try:
                mappers[version](event, "qq" if version == 11 else "wx")
            except Exception:
                skipped += 1

    def floor(_: object) -> None:
        for _, frame in frames:
            json.loads(frame)

    return best_of(3, ours, "[]"), best_of(3, floor, "[]"), skipped


async def through_app(count: int) -> dict[str, int]:
    """``count`` fuzzed updates through ``qunguan run``'s wiring and a stand-in Bot API."""
    from bot.adapters.telegram.standin import StandInBotApi
    from bot.app import running_app
    from bot.config import load_config

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(lambda r: not r.name.startswith("aiohttp.access"))  # the stand-in's
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("httpx", "aiosqlite", "alembic"):  # as `qunguan run` sets them
        logging.getLogger(noisy).setLevel(logging.WARNING)
    fuzz = Mutator(16, telegram_shapes(), keep=frozenset({"update_id"}), id_key="update_id",
                   first_id=10_000)
    with tempfile.TemporaryDirectory() as tmp:
        async with StandInBotApi() as api:
            env = {"TELEGRAM_BOT_TOKEN": "123456:BENCH", "QUNGUAN_TELEGRAM_BASE_URL": api.base_url,
                   "QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/q.db"}
            config = load_config(ROOT / "config.example.yaml", env=env)
            app_cfg = config.app.model_copy(update={
                "playground": config.app.playground.model_copy(update={"enabled": False})})
            started = time.perf_counter()
            async with running_app(replace(config, app=app_cfg), env=env, port=0) as app:
                adapter = app.services.extras["telegram"]  # type: ignore[union-attr]
                await api.wait_for("getUpdates")
                for chunk in _chunks(list(fuzz.payloads(count)), 500):
                    await api.feed(*chunk)
                for _ in range(12_000):
                    if not api.pending and adapter.processor.handled >= adapter.intake.accepted:
                        break
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - started
    root.removeHandler(handler)
    text = out.getvalue()
    lines = text.splitlines()
    return {"updates": count, "seconds": round(elapsed),
            "error_lines": sum(1 for ln in lines if " ERROR " in ln or " CRITICAL " in ln),
            "tracebacks": text.count("Traceback"),
            "log_bytes": len(text.encode(errors="backslashreplace"))}


def _cycle(items: list[Any]) -> Iterable[Any]:
    while True:
        yield from items


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--app", type=int, default=0, help="also N updates through the app")
    args = parser.parse_args()
    logging.getLogger("bench.quiet").disabled = True

    raws = list(Mutator(7, telegram_shapes(), keep=frozenset({"update_id"}),
                        id_key="update_id").payloads(args.updates))
    ours, floor, counts = telegram_edge(raws)
    n = len(raws)
    print(f"telegram edge: {n} fuzzed updates, {counts.get('telegram.invalid', 0)} skipped as "
          f"malformed, {counts.get('telegram.unmappable', 0)} unmappable")
    print(f"  ours  {n / ours:10,.0f} updates/s  ({ours / n * 1e6:6.1f} us each: check + "
          f"parse + map)")
    print(f"  floor {n / floor:10,.0f} updates/s  ({floor / n * 1e6:6.1f} us each: PTB parse)")
    print(f"  ratio {ours / floor:.2f}x the floor (malformed updates are refused before parsing)")
    clean = [raw for raw, _ in zip(_cycle(telegram_shapes()[:-1]), range(n), strict=False)]
    ours, floor, _ = telegram_edge(clean)
    check = best_of(3, lambda items: [telegram_problem(raw) for raw in items], json.dumps(clean))
    print(f"telegram edge, {n} well-formed updates: ours {ours / n * 1e6:.1f} us, floor "
          f"{floor / n * 1e6:.1f} us each: ratio {ours / floor:.2f}x (check + map on top; "
          f"the shape check alone {check / n * 1e6:.1f} us = {check / floor:.1%} of the floor)")

    frames = [(version, json.dumps(event)) for version in (11, 12)
              for event in Mutator(8 + version, onebot_shapes(version)).payloads(args.updates // 2)]
    ours, floor, skipped = onebot_edge(frames)
    n = len(frames)
    print(f"onebot edge: {n} fuzzed events (v11 + v12), {skipped} skipped as malformed")
    print(f"  ours  {n / ours:10,.0f} events/s   ({ours / n * 1e6:6.1f} us each: decode + "
          f"check + map)")
    print(f"  floor {n / floor:10,.0f} events/s   ({floor / n * 1e6:6.1f} us each: JSON decode)")
    print(f"  ratio {ours / floor:.2f}x the floor")

    if args.app:
        figures = asyncio.run(through_app(args.app))
        per_10k = figures["log_bytes"] * 10_000 / max(figures["updates"], 1)
        print(f"whole app: {figures['updates']} fuzzed Telegram updates in "
              f"{figures['seconds']} s: {figures['error_lines']} ERROR lines, "
              f"{figures['tracebacks']} tracebacks, {figures['log_bytes']:,} log bytes "
              f"({per_10k / 1e6:.2f} MB per 10,000)")


if __name__ == "__main__":
    main()
