"""Settings from the YAML section: secrets from the environment, platform by implementation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.adapters.onebot import OneBotSettings
from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import post_event
from bot.adapters.onebot.v11 import map_event
from bot.config.schema import OneBotConfig
from bot.events import Message

from .conftest import RecordingSink, Served


def test_comwechat_entry_gets_the_wx_platform_and_secrets_from_the_environment() -> None:
    entry = OneBotConfig(name="wechat", version=12, impl="comwechat",
                         access_token_env="WX_TOKEN")
    settings = OneBotSettings.from_config(entry, {"WX_TOKEN": "t0k", "ONEBOT_SECRET": "s"})
    assert (settings.platform, settings.access_token, settings.secret) == ("wx", "t0k", "s")
    assert settings.ws_path == "/onebot/v12/ws"
    assert settings.action_timeout == 10.0


def test_explicit_platform_in_yaml_wins_over_the_implementation_default() -> None:
    entry = OneBotConfig(version=11, impl="napcat", platform="qq2", ws_path="/qq2/ws")
    settings = OneBotSettings.from_config(entry, {})
    assert (settings.platform, settings.ws_path) == ("qq2", "/qq2/ws")


@pytest.mark.parametrize("bad", [{"version": 13}, {"action_timeout": 0}, {"ws_path": "ws"}])
def test_invalid_settings_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        OneBotSettings(**bad)


def test_private_messages_live_in_their_own_chat_namespace() -> None:
    mapped = map_event(ev.private_message(20001, [ev.text("hello")]))
    assert isinstance(mapped.event, Message)
    assert mapped.event.chat == "qq:private:20001" and mapped.event.is_private


async def test_v12_webhook_events_are_checked_by_bearer_token(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(version=12, impl="comwechat", access_token="tok",
                                 http_path="/onebot/v12/http")
    url = served.url("/onebot/v12/http")
    event = ev.v12_group_message("1@chatroom", "wxid_a", [ev.text("hi")])
    assert await post_event(url, event) == 401
    assert await post_event(url, event, token="nope") == 403
    assert await post_event(url, event, token="tok") == 204
    await served.adapter.drain()
    assert [e.chat for e in sink.events if isinstance(e, Message)] == ["wx:1@chatroom"]
