"""The processes ``bench_telegram.py`` measures: ``qunguan run`` with a per-update timer, or a
no-op python-telegram-bot bot (the floor); each writes its update timings as JSON at exit.

    python benchmarks/tg_probe.py ours  OUT.json [PROFILE.prof] -- run --config FILE ...
    (with a profile: SIGUSR1 starts profiling, SIGUSR2 stops it; BENCH_GC_PAUSES=1 records
    every garbage collection, BENCH_COUNT_SESSIONS=1 counts storage sessions by opener)
    python benchmarks/tg_probe.py floor OUT.json BASE_URL
"""

from __future__ import annotations

import collections
import cProfile
import gc
import json
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

Timings = dict[int, tuple[float, float]]  # update_id → wall, CPU seconds inside its handler


def timed(timings: Timings, handle: Callable[[Any, Any], Awaitable[None]]
          ) -> Callable[[Any, Any], Awaitable[None]]:
    async def wrapper(self: Any, update: Any) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            await handle(self, update)
        finally:
            timings[update.update_id] = (time.perf_counter() - started,
                                         time.thread_time() - cpu)

    return wrapper


def ours(out: Path, profile: str, argv: list[str]) -> int:
    """The real ``qunguan run`` (its CLI, its composition root); only the update processor's
    call is wrapped by a timer."""
    from bot.adapters.telegram import processor
    from bot.cli import main

    timings: Timings = {}
    processor.UpdateProcessor.__call__ = timed(  # type: ignore[method-assign]
        timings, processor.UpdateProcessor.__call__)
    sessions = count_sessions() if os.environ.get("BENCH_COUNT_SESSIONS") else None
    pauses = gc_pauses() if os.environ.get("BENCH_GC_PAUSES") else None
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:  # the benchmark profiles its measured batches only
        signal.signal(signal.SIGUSR1, lambda *_: profiler.enable())
        signal.signal(signal.SIGUSR2, lambda *_: profiler.disable())
    sys.argv = ["qunguan", *argv]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        out.write_text(json.dumps(timings))
        if pauses is not None:
            Path(f"{out}.gc").write_text(json.dumps(pauses))
        if sessions is not None:
            Path(f"{out}.sessions").write_text("\n".join(
                f"{n:6d} {where}" for where, n in sessions.most_common()))
    return code


def gc_pauses() -> list[tuple[int, float, float]]:
    """(generation, seconds, when it ended on the monotonic clock) of every collection."""
    pauses: list[tuple[int, float, float]] = []
    started = [0.0]

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            ended = time.perf_counter()
            pauses.append((info["generation"], ended - started[0], ended))

    gc.callbacks.append(note)
    return pauses


def count_sessions() -> collections.Counter[str]:
    """Count storage sessions and reads by the project function that opened them."""
    from storage.db import Database

    counts: collections.Counter[str] = collections.Counter()
    for name in ("session", "reading"):
        original = getattr(Database, name)

        def counted(self: Any, *args: Any, _original: Any = original, _name: str = name,
                    **kwargs: Any) -> Any:
            frame = sys._getframe(1)
            while frame.f_back is not None and "/storage/" in frame.f_code.co_filename:
                frame = frame.f_back
            where = f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_name}"
            counts[f"{_name} {where}"] += 1
            return _original(self, *args, **kwargs)

        setattr(Database, name, counted)
    return counts


def floor(out: Path, base_url: str) -> int:
    """python-telegram-bot polling with one handler: delete what looks like an ad (a link),
    nothing else. The clock of the benchmark stops at the last deletion, as for ours."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, TypeHandler

    timings: Timings = {}

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        message = update.message
        if message is not None and message.text and ("http" in message.text
                                                     or "t.me/" in message.text):
            await context.bot.delete_message(message.chat_id, message.message_id)
        timings[update.update_id] = (time.perf_counter() - started, time.thread_time() - cpu)

    application = Application.builder().token("1:FLOOR").base_url(base_url).build()
    application.add_handler(TypeHandler(Update, handle))
    try:
        application.run_polling(poll_interval=0.0, timeout=10, close_loop=False)
    finally:
        out.write_text(json.dumps(timings))
    return 0


if __name__ == "__main__":
    kind, out_path, *rest = sys.argv[1:]
    if kind == "floor":
        raise SystemExit(floor(Path(out_path), rest[0]))
    split = rest.index("--")
    raise SystemExit(ours(Path(out_path), rest[0] if split else "", rest[split + 1:]))
