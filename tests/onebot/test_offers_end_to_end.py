"""The built-in ads and offers policies through the real OneBot path (QQ over a reverse
WebSocket): decorated contact keywords (企❤鹅, v❤x) and a Russian income offer with a DM ask
end in delete_msg; an honest crypto remark passes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.onebot import OneBotAdapter, OneBotSettings
from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import StandIn
from bot.config import LoadedConfig, load_config
from bot.registry import Registry

from . import core_wiring
from .core_wiring import Core

TOKEN = "offers-token"
GROUP = 123456789

CONFIG = """\
playground: {enabled: false}
server: {host: 127.0.0.1, port: 0}
storage: {url: "sqlite+aiosqlite:///{db}"}
onebot:
  - {name: qq, version: 11, impl: napcat, platform: qq}
defaults:
  language: zh-CN
  notices: {keep: true}
  caps: {AD: 9}
  policies:
    ads: {}
    offers: {}
"""


def builtin_config(tmp: Path) -> LoadedConfig:
    path = tmp / "qunguan.yaml"
    path.write_text(CONFIG.replace("{db}", str(tmp / "q.db")), "utf-8")
    return load_config(path, env={}, registry=Registry(plugins=False))


@pytest.fixture
async def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                 ) -> AsyncIterator[tuple[OneBotAdapter, TestServer]]:
    monkeypatch.setattr(core_wiring, "registry", lambda: Registry(plugins=False))
    loaded = builtin_config(tmp_path)
    core = Core(loaded)
    app = web.Application()
    (entry,) = loaded.app.onebot
    adapter = OneBotAdapter(OneBotSettings.from_config(entry, {"ONEBOT_ACCESS_TOKEN": TOKEN}),
                            core.dispatcher)
    adapter.install(app)
    core.gateways[adapter.gateway.platform] = adapter.gateway
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    await adapter.start()
    yield adapter, test_server
    await adapter.stop()
    await test_server.close()


async def test_decorated_contacts_and_an_income_offer_with_a_dm_ask_are_deleted_on_qq(
    server: tuple[OneBotAdapter, TestServer],
) -> None:
    adapter, test_server = server
    url = str(test_server.make_url("/onebot/v11/ws")).replace("http", "ws", 1)
    impl = StandIn(url, token=TOKEN, self_id="10001")
    assert await impl.connect() == 101
    texts = [
        "bitcoin price dropped today",
        "有需要的加企❤鹅 12345678",
        "Нужны люди на вечер, оплата от 5к руб в день, пишите в лс",
        "v❤x：qg 8 8 8 8",
    ]
    try:
        for n, text in enumerate(texts):
            await impl.send(ev.group_message(GROUP, 30001 + n, [ev.text(text)],
                                             message_id=601 + n, nickname=f"m{n}"))
        await impl.wait_for("delete_msg", 3)
        await adapter.drain()
        assert impl.of("delete_msg") == [{"message_id": 602}, {"message_id": 603},
                                         {"message_id": 604}]
    finally:
        await impl.close()
