"""Acknowledged means durable, with a real process: `qunguan run` polling the stand-in is killed
(SIGKILL) in the middle of a burst of check-ins and ads, then started again; every check-in,
point, warn and log entry of an acknowledged update is stored exactly once, on SQLite (with
its journal) and on PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.adapters.telegram.standin import StandInBotApi
from storage.db import Database
from tests.community.conftest import pg_url  # noqa: F401  (a fresh database per test)

ROOT = Path(__file__).resolve().parents[2]
QUNGUAN = str(Path(sys.executable).parent / "qunguan")  # the console script, as deployed
CHECKINS, ADS = -1006660001, -1006660002
AD, URL = "加我薇信 abc12345 领取福利 t.me/spamchan", "t.me/spamchan"
_message_ids = itertools.count(100)


def update(update_id: int, chat: int, user: int, text: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_message_ids), "date": int(time.time()), "text": text,
        "from": {"id": user, "is_bot": False, "first_name": f"m{user}"},
        "chat": {"id": chat, "type": "supergroup", "title": "group"}}
    if URL in text:
        offset = len(text[: text.index(URL)].encode("utf-16-le")) // 2
        body["entities"] = [{"type": "url", "offset": offset, "length": len(URL)}]
    return {"update_id": update_id, "message": body}


def acknowledged(api: StandInBotApi) -> int:
    """Every update below this id was confirmed by a getUpdates offset."""
    return max((int(c.get("offset") or 0) for c in api.of("getUpdates")), default=0)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"
    return str(request.getfixturevalue("pg_url"))  # skipped, with the reason, without one


async def start(api: StandInBotApi, tmp_path: Path, n: int,
                database_url: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "PYTHONPATH": str(ROOT),
           "QUNGUAN_TELEGRAM_BASE_URL": api.base_url, "QUNGUAN_DATABASE_URL": database_url}
    polls = len(api.of("getUpdates"))
    process = await asyncio.create_subprocess_exec(
        QUNGUAN, "run", "--config", str(ROOT / "config.example.yaml"), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=(tmp_path / f"run{n}.log").open("wb"))
    await api.wait_for("getUpdates", polls + 1, within=90)
    return process


async def column(url: str, sql: str) -> list[str]:
    db = Database(url)
    try:
        async with db.session() as session:
            return [str(value) for value in (await session.execute(text(sql))).scalars()]
    finally:
        await db.dispose()


async def test_a_burst_killed_midway_keeps_every_acknowledged_effect_exactly_once(
    tmp_path: Path, database_url: str,
) -> None:
    burst = [update(i, CHECKINS, 1000 + i, "打卡") if i % 2 else update(i, ADS, 5000 + i, AD)
             for i in range(1, 301)]
    async with StandInBotApi() as api:
        first = await start(api, tmp_path, 1, database_url)
        await api.feed(*burst)
        async with asyncio.timeout(90):
            while acknowledged(api) <= 60:  # some confirmed, most still in flight
                await api.wait_for("getUpdates", len(api.of("getUpdates")) + 1, within=90)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        confirmed = acknowledged(api)
        assert confirmed <= 300  # killed before the burst was through
        second = await start(api, tmp_path, 2, database_url)
        async with asyncio.timeout(120):
            while acknowledged(api) <= 300:
                await api.wait_for("getUpdates", len(api.of("getUpdates")) + 1, within=120)
        await asyncio.sleep(1.0)  # the last flush
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 60) == 0
    checkins = await column(database_url, "SELECT user_id FROM checkins")
    points = await column(database_url, "SELECT user_id FROM contributions WHERE kind = 'checkin'")
    logged = await column(database_url, "SELECT message_id FROM mod_log")
    warned = await column(database_url, "SELECT user_id FROM warns")
    for raw in burst:
        message = raw["message"]
        user, mid = f"tg:{message['from']['id']}", str(message["message_id"])
        # acknowledged before the kill or not, each update's effects are stored exactly once
        must = "acknowledged" if raw["update_id"] < confirmed else "redelivered"
        if message["chat"]["id"] == CHECKINS:
            assert checkins.count(user) == 1 and points.count(user) == 1, (raw, must)
        else:
            # the same ad from a fourth member on is a raid: kicked, not warned
            assert logged.count(mid) == 1 and warned.count(user) <= 1, (raw, must)
    assert len(warned) >= 3
