"""Plain check-in words on QQ and WeChat through the whole app: 签到 / 打卡 check in and are not
deleted as filler where ``plain_words`` is on (other filler still is); on ComWeChatBotClient
the answer is plain text mentioning the member, without the ``reply`` segment it refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import StandIn

TOKEN = "words-token"
GROUP, ROOM = 445566, "9090@chatroom"
CONFIG = """\
playground: {enabled: false}
storage: {url: "sqlite+aiosqlite:///{db}"}
onebot:
  - {name: qq, version: 11, impl: napcat}
  - {name: wechat, version: 12, impl: comwechat}
defaults:
  language: en
  policies:
    offtopic: {mode: enforce}
  features:
    checkin: {enabled: true}
"""


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Any]:
    from bot.app import running_app
    from bot.config import load_config

    path = tmp_path / "q.yaml"
    path.write_text(CONFIG.replace("{db}", str(tmp_path / "q.db")), "utf-8")
    env = {"ONEBOT_ACCESS_TOKEN": TOKEN}
    async with running_app(load_config(path, env=env), env=env, port=0) as running:
        yield running


def url(app: Any, path: str) -> str:
    return f"ws://127.0.0.1:{app.port}{path}"


async def test_plain_check_in_words_on_qq_check_in_and_are_not_deleted_as_filler(
    app: Any,
) -> None:
    impl = StandIn(url(app, "/onebot/v11/ws"), token=TOKEN, self_id="10001")
    assert await impl.connect() == 101
    try:
        await impl.send(ev.group_message(GROUP, 20001, [ev.text("签到")], message_id=801))
        await impl.wait_for("send_group_msg")
        await impl.send(ev.group_message(GROUP, 20002, [ev.text("哈哈哈哈")], message_id=802))
        await impl.wait_for("delete_msg")
    finally:
        await impl.close()
    assert impl.of("delete_msg") == [{"message_id": 802}]  # filler that is not a check-in
    (answer,) = impl.of("send_group_msg")
    assert answer["message"][0] == {"type": "reply", "data": {"id": "801"}}
    assert "checked in" in answer["message"][-1]["data"]["text"]


async def test_wechat_answers_a_check_in_as_plain_text_mentioning_the_member(
    app: Any,
) -> None:
    impl = StandIn(url(app, "/onebot/v12/ws"), token=TOKEN, version=12, impl="ComWeChat",
                   self_id="wxid_bot")
    assert await impl.connect() == 101
    try:
        await impl.send(ev.v12_connect())
        await impl.send(ev.v12_group_message(ROOM, "wxid_ann", [ev.text("打卡")],
                                             message_id="m-1"))
        await impl.wait_for("send_message")
    finally:
        await impl.close()
    (answer,) = impl.of("send_message")
    types = [segment["type"] for segment in answer["message"]]
    assert "reply" not in types and types[-1] == "text"
    assert answer["message"][0] == {"type": "mention", "data": {"user_id": "wxid_ann"}}
    assert "checked in" in answer["message"][-1]["data"]["text"]
    assert "delete_message" not in impl.names()
