"""Through the real core: ads on QQ end in delete_msg, set_group_ban, set_group_kick;
on WeChat (no mute, no delete) the ladder degrades visibly and still ends in a kick."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.onebot import OneBotAdapter, OneBotSettings
from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import StandIn
from bot.verdict import Action

from .core_wiring import AD_WORD, Core, config

TOKEN = "e2e-token"
GROUP = 123456789
ROOM = "2033@chatroom"


@dataclass
class Running:
    core: Core
    qq: OneBotAdapter
    wx: OneBotAdapter
    server: TestServer


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """QQ (v11, NapCat) and WeChat (v12, ComWeChat) adapters side by side on one server."""
    loaded = config(tmp_path)
    core = Core(loaded)
    app = web.Application()
    adapters = []
    for entry in loaded.app.onebot:
        adapter = OneBotAdapter(
            OneBotSettings.from_config(entry, {"ONEBOT_ACCESS_TOKEN": TOKEN}), core.dispatcher
        )
        adapter.install(app)
        core.gateways[adapter.gateway.platform] = adapter.gateway
        adapters.append(adapter)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    for adapter in adapters:
        await adapter.start()
    yield Running(core, adapters[0], adapters[1], server)
    for adapter in adapters:
        await adapter.stop()
    await server.close()


def ws(running: Running, path: str) -> str:
    return str(running.server.make_url(path)).replace("http", "ws", 1)


async def test_three_ads_on_qq_are_deleted_then_mute_by_set_group_ban_then_kick(
    running: Running,
) -> None:
    impl = StandIn(ws(running, "/onebot/v11/ws"), token=TOKEN, self_id="10001")
    assert await impl.connect() == 101
    try:
        for n in range(3):
            await impl.send(ev.group_message(GROUP, 20004, [ev.text(f"{AD_WORD} abc{n}")],
                                             message_id=501 + n, nickname="Spammer"))
        await impl.wait_for("set_group_kick")
        await running.qq.drain()
        assert impl.of("delete_msg") == [{"message_id": 501}, {"message_id": 502},
                                         {"message_id": 503}]
        assert impl.of("set_group_ban") == [
            {"group_id": GROUP, "user_id": 20004,
             "duration": int(timedelta(days=1).total_seconds())},
        ]
        assert impl.of("set_group_kick") == [
            {"group_id": GROUP, "user_id": 20004, "reject_add_request": False},
        ]
        entries = running.core.store.entries
        assert [e.action for e in entries] == [Action.WARN, Action.MUTE, Action.KICK]
        assert all(e.chat == f"qq:{GROUP}" and e.user_id == "qq:20004" for e in entries)
        notices = [p["message"][-1]["data"]["text"] for p in impl.of("send_group_msg")]
        assert any("muted" in text for text in notices)
    finally:
        await impl.close()


async def test_wechat_without_mute_or_delete_degrades_visibly_and_ends_in_a_kick(
    running: Running,
) -> None:
    impl = StandIn(ws(running, "/onebot/v12/ws"), token=TOKEN, version=12, impl="ComWeChat",
                   self_id="wxid_bot")
    assert await impl.connect() == 101
    try:
        await impl.send(ev.v12_connect())
        for n in range(3):
            await impl.send(ev.v12_group_message(ROOM, "wxid_spam",
                                                 [ev.text(f"{AD_WORD} w{n}")],
                                                 message_id=f"70{n}"))
        await impl.wait_for("wx.delete_groupmember")
        await running.wx.drain()
        names = impl.names()
        assert "delete_message" not in names
        assert not any("ban" in name or "mute" in name for name in names)
        assert impl.of("wx.delete_groupmember") == [
            {"group_id": ROOM, "user_list": ["wxid_spam"]},
        ]
        await running.core.enforcer.flush()  # outcomes are written behind
        entries = running.core.store.entries
        assert [e.action for e in entries] == [Action.WARN, Action.WARN, Action.KICK]
        assert entries[1].degraded_from is Action.MUTE
        assert "degraded mute→warn" in entries[1].outcome
        notices = [p["message"][-1]["data"]["text"] for p in impl.of("send_message")]
        assert any("cannot mute" in text for text in notices)
    finally:
        await impl.close()


async def test_one_event_delivered_twice_is_moderated_once(running: Running) -> None:
    impl = StandIn(ws(running, "/onebot/v11/ws"), token=TOKEN, self_id="10001")
    assert await impl.connect() == 101
    try:
        event = ev.group_message(GROUP, 20009, [ev.text(f"{AD_WORD} once")], message_id=900)
        await impl.send(event)
        await impl.send(event)
        await impl.wait_for("delete_msg")
        await impl.send(ev.group_message(GROUP, 20010, [ev.text("hello")], message_id=901))
        await impl.send(ev.group_message(GROUP, 20010, [ev.text(f"{AD_WORD} x")],
                                         message_id=902))
        await impl.wait_for("delete_msg", 2)
        await running.qq.drain()
        assert impl.of("delete_msg") == [{"message_id": 900}, {"message_id": 902}]
        assert running.core.dispatcher.duplicates == 1
    finally:
        await impl.close()
