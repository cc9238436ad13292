"""Real `qunguan run` workers for tests: each in webhook mode with its own config and port,
behind a stand-in Telegram; stopped as an operator would (SIGTERM, logs checked) or killed."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]
QUNGUAN = str(Path(sys.executable).parent / "qunguan")  # the console script, as deployed
SECRET = "balancer-secret"  # the webhooks' secret token
MODERATOR = 900
#: A moderation worker in webhook mode (``running_workers`` fills in base, hook and port;
#: ``db`` and ``moderator`` are ``moderation_workers``').
CONFIG = """
telegram: {{base_url: "{base}", mode: webhook, webhook_url: "{hook}"}}
server: {{host: 127.0.0.1, port: {port}}}
storage: {{url: "{db}"}}
playground: {{enabled: false}}
raid: {{ads: 10, within: 10s}}  # one switch for every worker (test_raid_across_workers)
defaults:
  language: en
  moderators: ["tg:{moderator}"]
  notices: {{keep: true}}
  policies:
    ads: {{mode: enforce}}
    flood: {{max_messages: 6, per_seconds: 3600, max_run: 0, raid_seconds: 3600}}
"""
Process = asyncio.subprocess.Process


class Hooked(Protocol):
    """A stand-in platform that knows the workers' webhooks (``tests.workers.platform``)."""

    webhooks: list[str]

    @property
    def base_url(self) -> str: ...

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> None: ...


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def eventually(check: Callable[[], Awaitable[bool]], what: str,
                     within: float = 60.0) -> None:
    """Poll ``check`` until true; fail with ``what`` after ``within`` seconds (a bound on a
    hang, not a performance claim)."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {within:.0f} s: {what}")
        await asyncio.sleep(0.1)


async def listening(url: str) -> bool:
    host, port = url.split("/")[2].split(":")
    try:
        _, writer = await asyncio.open_connection(host, int(port))
    except OSError:
        return False
    writer.close()
    return True


@dataclass
class Workers:
    """Started workers: ``procs[n]`` serves ``platform.webhooks[n]``, logs to ``w<n>.log``."""

    procs: list[Process]
    directory: Path

    def log(self, n: int) -> str:
        return (self.directory / f"w{n}.log").read_text(encoding="utf-8")

    async def stop(self) -> None:
        """SIGTERM to every live worker: each exits 0 (buffers written), no traceback logged."""
        live = [p for p in self.procs if p.returncode is None]
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 30) for p in live]
        assert codes == [0] * len(live), [self.log(n) for n in range(len(self.procs))]
        for n, proc in enumerate(self.procs):
            if proc in live:
                assert "Traceback" not in self.log(n), self.log(n)

    async def kill(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


@asynccontextmanager
async def running_workers(platform: Hooked, directory: Path, config: str, *,
                          count: int = 2, env: Mapping[str, str] | None = None,
                          env_of: Callable[[int], Mapping[str, str]] = lambda n: {},
                          **fields: Any) -> AsyncIterator[Workers]:
    """Start ``count`` workers, each with ``config`` formatted with its ``base`` (the stand-in's
    URL), ``hook``, ``port`` and ``fields``, in ``directory``, with the environment plus
    ``env`` (and ``env_of(n)`` for worker n); yield once every webhook is set and listening.
    Workers still running at the end are killed (a test stops them gracefully itself)."""
    common = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
              "TELEGRAM_WEBHOOK_SECRET": SECRET, "PYTHONPATH": str(ROOT), **(env or {})}
    workers = Workers([], directory)
    try:
        for n in range(count):
            port = free_port()
            hook = f"http://127.0.0.1:{port}/telegram/webhook"
            path = directory / f"worker{n}.yaml"
            path.write_text(config.format(base=platform.base_url, hook=hook, port=port,
                                          **fields), encoding="utf-8")
            platform.webhooks.append(hook)
            workers.procs.append(await asyncio.create_subprocess_exec(
                QUNGUAN, "run", "--config", str(path), cwd=directory,
                env={**common, **env_of(n)}, stdout=asyncio.subprocess.DEVNULL,
                stderr=(directory / f"w{n}.log").open("wb")))
        await platform.wait_for("setWebhook", count, within=90)
        for hook in platform.webhooks:
            await eventually(partial(listening, hook), f"{hook} listening")
        yield workers
    finally:
        await workers.kill()


def moderation_workers(platform: Hooked, directory: Path, db: str, redis: str, *,
                       count: int = 2, env: Mapping[str, str] | None = None,
                       env_of: Callable[[int], Mapping[str, str]] = lambda n: {}
                       ) -> AbstractAsyncContextManager[Workers]:
    """``running_workers`` with ``CONFIG`` on one database and one Redis, as an operator
    starts them (one dashboard secret for all)."""
    return running_workers(
        platform, directory, CONFIG, count=count, env_of=env_of, db=db, moderator=MODERATOR,
        env={"QUNGUAN_DASHBOARD_SECRET": "dash-" + SECRET, "QUNGUAN_REDIS_URL": redis,
             **(env or {})})
