"""Through the composition root: `qunguan run` wiring with only TELEGRAM_BOT_TOKEN set, the
stand-in Bot API as Telegram, three ads from one member → warn, mute, kick."""

from __future__ import annotations

import copy
import importlib.util
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.standin import StandInBotApi
from tests.telegram.conftest import GROUP, load

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None
        for m in ("storage.moderation", "storage.deletions", "storage.updates")),
    reason="the storage package (storage.moderation/deletions/updates) is not in the tree yet",
)
ADS = ["加微信 abc12345 领取福利", "便宜出售会员账号，加V: sale_888", "兼职日结，扣扣 1234567890"]


def ad(index: int) -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(load("voice"))
    raw["update_id"] = 3000 + index
    message = raw["message"]
    del message["voice"]
    message.update(message_id=800 + index, text=ADS[index], date=int(time.time()))
    return raw


def example_config(api: StandInBotApi, tmp_path: Path) -> tuple[Any, dict[str, str]]:
    """config.example.yaml with only the token set, Telegram pointed at the stand-in."""
    from bot.config import load_config

    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
           "QUNGUAN_TELEGRAM_BASE_URL": api.base_url,
           "QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"}
    config = load_config(ROOT / "config.example.yaml", env=env)
    if importlib.util.find_spec("bot.adapters.local") is None:  # the playground lands later
        app = config.app
        config = replace(config, app=app.model_copy(
            update={"playground": app.playground.model_copy(update={"enabled": False})}))
    return config, env


async def test_three_ads_from_one_member_warn_then_mute_then_kick(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app

    config, env = example_config(api, tmp_path)
    async with running_app(config, env=env, port=0):
        await api.wait_for("getUpdates")
        await api.feed(ad(0))
        await api.wait_for("deleteMessages", 1)
        await api.wait_for("sendMessage", 1)
        await api.feed(ad(1))
        await api.wait_for("restrictChatMember", 1)
        await api.feed(ad(2))
        await api.wait_for("unbanChatMember", 1)
    assert sorted(m for c in api.of("deleteMessages") for m in c["message_ids"]
                  if m >= 800) == [800, 801, 802]
    warn = api.of("sendMessage")[0]
    assert warn["chat_id"] == GROUP and warn["text"]
    (mute,) = api.of("restrictChatMember")
    assert mute["user_id"] == 222 and mute["use_independent_chat_permissions"] is True
    assert not any(mute["permissions"].values())
    assert abs(mute["until_date"] - (time.time() + 86400)) < 120
    assert api.of("banChatMember") == [{"chat_id": GROUP, "user_id": 222}]
    assert api.of("unbanChatMember") == [{"chat_id": GROUP, "user_id": 222,
                                          "only_if_banned": True}]


async def test_restart_mid_scenario_keeps_warns_and_ignores_the_redelivered_ad(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app

    config, env = example_config(api, tmp_path)
    async with running_app(config, env=env, port=0):
        await api.feed(ad(0))
        await api.wait_for("sendMessage", 1)
    await api.feed(ad(0), ad(1))  # after the restart Telegram redelivers ad 0, then ad 1
    async with running_app(config, env=env, port=0):
        await api.wait_for("restrictChatMember", 1)
    deleted = [m for c in api.of("deleteMessages") for m in c["message_ids"] if m >= 800]
    assert sorted(deleted) == [800, 801]
    assert [c["user_id"] for c in api.of("restrictChatMember")] == [222]
