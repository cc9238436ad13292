"""Moderator commands end to end: python-telegram-bot against the stand-in Bot API server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin

ROOT = Path(__file__).resolve().parents[2]
GROUP = -1001234567890
OWNER, SPAMMER, WEAK_ADMIN = 111, 222, 333
CHAT = {"id": GROUP, "title": "Test Group", "type": "supergroup"}
_updates = count(5000)
_messages = count(900)


def user(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"user{uid}"}


def message(sender: int, text: str, reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": next(_messages), "from": user(sender), "chat": CHAT,
                            "date": int(time.time()), "text": text}
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0,
                             "length": len(text.split()[0])}]
    if reply_to is not None:
        body["reply_to_message"] = reply_to
    return body


def update(body: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": next(_updates), "message": body}


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        server.admins[GROUP] = [admin(BOT_ID), admin(OWNER, owner=True),
                                admin(WEAK_ADMIN, can_restrict_members=False)]
        yield server


async def test_warn_mute_kick_ban_undo_and_refusals_through_telegram(
        api: StandInBotApi, tmp_path: Path) -> None:
    from bot.app import running_app
    from bot.config import load_config

    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "QUNGUAN_TELEGRAM_BASE_URL": api.base_url,
           "QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"}
    config = load_config(ROOT / "config.example.yaml", env=env)
    async with running_app(config, env=env, port=0):
        await api.wait_for("getUpdates")
        said = message(SPAMMER, "hello everyone")
        await api.feed(update(said))
        sends = 0

        async def command(sender: int, text: str, reply: bool = True) -> str:
            nonlocal sends
            await api.feed(update(message(sender, text, said if reply else None)))
            sends += 1
            try:
                await asyncio.wait_for(api.wait_for("sendMessage", sends), 30)
            except TimeoutError:
                texts = [c["text"] for c in api.of("sendMessage")]
                raise AssertionError(f"no answer to {text!r}; sent so far: {texts}; "
                                     f"calls: {api.methods()}") from None
            return str(api.of("sendMessage")[-1]["text"])

        assert "警告（1/3）" in await command(OWNER, "/warn 刷屏")
        assert "禁言 10分钟" in await command(OWNER, "/mute 10m")
        (mute,) = api.of("restrictChatMember")
        assert mute["user_id"] == SPAMMER and abs(mute["until_date"] - time.time() - 600) < 60
        assert "移出" in await command(OWNER, "/kick")
        assert api.of("banChatMember")[-1]["user_id"] == SPAMMER
        assert "封禁" in await command(OWNER, "/ban 1d")
        bans = len(api.of("banChatMember"))
        assert "#4 已撤销" in await command(OWNER, "/undo 4", reply=False)
        assert api.of("unbanChatMember")[-1]["user_id"] == SPAMMER
        refused = await command(WEAK_ADMIN, "/ban")
        assert refused.startswith("只有") and "/ban" in refused
        assert (await command(SPAMMER, "/warn", reply=False)).startswith("只有")
        assert len(api.of("banChatMember")) == bans
