"""Through the composition root: `qunguan run` wiring with only TELEGRAM_BOT_TOKEN set, the
stand-in Bot API as Telegram: three ads from one member → warn, mute, kick; a QR code in a
photo; an edit that turns a message into an ad."""

from __future__ import annotations

import copy
import importlib.util
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.standin import StandInBotApi
from tests.telegram.conftest import GROUP, GROUP_ID, load, photo_update, plain_png, qr_png

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None
        for m in ("storage.moderation", "storage.deletions", "storage.updates")),
    reason="the storage package (storage.moderation/deletions/updates) is not in the tree yet",
)
ADS = ["加薇信 abc12345 领取福利", "便宜出售会员账号，加v信: sale_888", "兼职日结，扣扣 1234567890"]


def ad(index: int) -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(load("voice"))
    raw["update_id"] = 3000 + index
    message = raw["message"]
    del message["voice"]
    message.update(message_id=800 + index, text=ADS[index], date=int(time.time()))
    return raw


def example_config(api: StandInBotApi, tmp_path: Path, *, chats: str = ""
                   ) -> tuple[Any, dict[str, str]]:
    """config.example.yaml with only the token set, Telegram (and its file downloads) pointed
    at the stand-in; ``chats`` replaces the example's empty ``chats: {}`` block."""
    from bot.config import load_config

    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
           "QUNGUAN_TELEGRAM_BASE_URL": api.base_url,
           "QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"}
    source = ROOT / "config.example.yaml"
    if chats:
        text = source.read_text(encoding="utf-8")
        assert text.count("\nchats: {}") == 1
        source = tmp_path / "config.yaml"
        source.write_text(text.replace("\nchats: {}", "\nchats:\n" + chats), encoding="utf-8")
    config = load_config(source, env=env)
    app = config.app  # Telegram alone: the playground is tested on its own
    config = replace(config, app=app.model_copy(update={
        "playground": app.playground.model_copy(update={"enabled": False}),
        "telegram": app.telegram.model_copy(update={"base_file_url": api.base_file_url})}))
    return config, env


async def log_entries(app: Any) -> list[Any]:
    """The group's log once every received update is handled: an ad's deletion goes out
    before its log entry is written, so seeing the deletion is not enough."""
    from storage.logs import LogRepo

    await app.settle()
    async with app.services.db.session() as session:
        return list(reversed(await LogRepo(session).recent(GROUP_ID, 50)))


def deleted_ids(api: StandInBotApi) -> list[int]:
    return sorted(m for c in api.of("deleteMessages") for m in c["message_ids"] if m >= 800)


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
    assert deleted_ids(api) == [800, 801, 802]
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
    assert deleted_ids(api) == [800, 801]
    assert [c["user_id"] for c in api.of("restrictChatMember")] == [222]


# An established member: the newcomer policy (no media in the first messages) is off here.
SETTLED = f'  "tg:{GROUP}":\n    policies:\n      newcomer: {{enabled: false}}\n'


async def test_member_photo_with_a_qr_code_is_deleted_while_a_plain_photo_passes(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app

    plain, qr = plain_png(), qr_png("https://join-my-group.example/vip")
    api.add_file("plain", plain)
    api.add_file("qr", qr)
    now = int(time.time())
    config, env = example_config(api, tmp_path, chats=SETTLED)
    async with running_app(config, env=env, port=0) as app:
        await api.feed(photo_update(3100, 850, [("plain", 128, len(plain))], date=now),
                       photo_update(3101, 851, [("qr", 132, len(qr))], date=now))
        await api.wait_for("deleteMessages", 1)
        entries = await log_entries(app)
    assert deleted_ids(api) == [851]  # updates are handled in order: 850 was let through
    assert [c["file_id"] for c in api.of("getFile")] == ["plain", "qr"]
    (entry,) = entries
    assert entry.message_id == "851" and "AD_QR_CODE" in entry.symbols
    image = entry.content["segments"][0]
    assert image["kind"] == "image" and "path" not in image["data"]  # transient, not logged
    assert image["data"]["file_id"]


async def test_edit_that_turns_a_harmless_message_into_an_ad_is_deleted(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app

    harmless = ad(0)
    harmless["message"]["text"] = "大家好，今天的分享会几点开始？"
    edit = ad(0)
    edit["update_id"] = 3050
    edit["edited_message"] = edit.pop("message")
    edit["edited_message"]["edit_date"] = int(time.time())
    config, env = example_config(api, tmp_path, chats=SETTLED)
    async with running_app(config, env=env, port=0) as app:
        await api.feed(harmless, edit)
        await api.wait_for("deleteMessages", 1)
        entries = await log_entries(app)
    assert api.of("deleteMessages") == [{"chat_id": GROUP, "message_ids": [800]}]
    (entry,) = entries  # one decision: on the edit, none on the harmless original
    assert entry.message_id == "800" and entry.content["edited"] is True
    assert any(s.startswith("AD_") for s in entry.symbols)


async def test_an_ad_carrying_a_lone_surrogate_is_still_deleted_and_logged(
    api: StandInBotApi, tmp_path: Path
) -> None:
    """``\\ud800`` is valid JSON but not text: it must not switch moderation off."""
    from bot.app import running_app

    spam = ad(0)
    spam["message"]["text"] = "加薇信\ud800 abc12345 领取福利"
    config, env = example_config(api, tmp_path, chats=SETTLED)
    async with running_app(config, env=env, port=0) as app:
        await api.feed(spam)
        await api.wait_for("deleteMessages", 1)
        entries = await log_entries(app)
    assert api.of("deleteMessages") == [{"chat_id": GROUP, "message_ids": [800]}]
    (entry,) = entries
    assert any(s.startswith("AD_") for s in entry.symbols)
    assert "\ufffd" in str(entry.content)
