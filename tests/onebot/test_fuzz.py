"""Fuzzed OneBot events (QQ v11 and WeChat v12) over the real reverse WebSocket into the real
core: every frame is read, none stops moderation, no traceback, few ERROR lines, a small log;
an ad afterwards is still deleted."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.mutate import Mutator
from bot.adapters.onebot import OneBotAdapter, OneBotSettings
from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import StandIn
from tests.telegram.test_fuzz import captured_log

from .conftest import FIXTURES, until
from .core_wiring import AD_WORD, Core, config

TOKEN = "fuzz-token"
FUZZED = {11: 1500, 12: 1000}


def shapes(version: int) -> list[dict[str, Any]]:
    return [json.loads(path.read_text("utf-8"))
            for path in sorted(FIXTURES.glob(f"v{version}_*.json"))]


@pytest.fixture
async def adapters(tmp_path: Path) -> AsyncIterator[tuple[Core, TestServer, list[OneBotAdapter]]]:
    loaded = config(tmp_path)
    core = Core(loaded)
    app = web.Application()
    running = []
    for entry in loaded.app.onebot:
        adapter = OneBotAdapter(
            OneBotSettings.from_config(entry, {"ONEBOT_ACCESS_TOKEN": TOKEN}), core.dispatcher)
        adapter.install(app)
        core.gateways[adapter.gateway.platform] = adapter.gateway
        running.append(adapter)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield core, server, running
    for adapter in running:
        await adapter.stop()
    await server.close()


async def test_fuzzed_onebot_events_never_stop_moderation_and_log_little(
    adapters: tuple[Core, TestServer, list[OneBotAdapter]],
) -> None:
    core, server, (qq, wx) = adapters
    url = str(server.make_url("/")).replace("http", "ws", 1).rstrip("/")
    qq_impl = StandIn(f"{url}/onebot/v11/ws", token=TOKEN, self_id="10001")
    wx_impl = StandIn(f"{url}/onebot/v12/ws", token=TOKEN, version=12, impl="ComWeChat",
                      self_id="wxid_bot")
    total = sum(FUZZED.values())
    with captured_log() as log:
        assert await qq_impl.connect() == 101 and await wx_impl.connect() == 101
        try:
            for impl, version in ((qq_impl, 11), (wx_impl, 12)):
                fuzz = Mutator(16 + version, shapes(version))
                for payload in fuzz.payloads(FUZZED[version]):
                    await impl.send_raw(json.dumps(payload))  # escapes lone surrogates
                await impl.send_raw("{not json")
            await until(lambda: qq.sessions.accounts() != [], 5)
            await qq.drain()
            await wx.drain()
            await qq_impl.send(ev.group_message(424242, 30001, [ev.text(f"{AD_WORD} fresh")],
                                                message_id=777_777))
            await until(lambda: {"message_id": 777_777} in qq_impl.of("delete_msg"), 10)
        finally:
            await qq_impl.close()
            await wx_impl.close()
    text = log.getvalue()
    errors = [line for line in text.splitlines()
              if line.split(" ", 3)[2:3] in (["ERROR"], ["CRITICAL"])]
    assert "Traceback" not in text, text[text.index("Traceback") - 300:][:3000]
    assert len(errors) < total / 1000, errors[:5]
    assert len(text.encode(errors="backslashreplace")) < 1_000_000 * total / 10_000
    assert core.dispatcher.faults.counts["onebot.invalid"] > total / 20
    assert qq.skipped + wx.skipped == core.dispatcher.faults.counts["onebot.invalid"]


async def test_a_skipped_event_is_one_line_without_its_text(
    adapters: tuple[Core, TestServer, list[OneBotAdapter]], caplog: pytest.LogCaptureFixture,
) -> None:
    core, _, (qq, _) = adapters
    caplog.set_level(logging.INFO)
    event = ev.group_message(424242, 30002, [ev.text("秘密 secret words")], message_id=5)
    event["user_id"] = [1, "x"]
    qq.accept(event)
    (record,) = [r for r in caplog.records if "skipping" in r.getMessage()]
    assert record.getMessage() == "OneBot qq: skipping event 5: user_id is not an id"
    assert record.exc_info is None and "secret" not in caplog.text
    assert core.dispatcher.faults.counts == {"onebot.invalid": 1}
