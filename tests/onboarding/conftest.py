"""Onboarding tests: the whole app against the stand-in Bot API, with Telegram update builders."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.standin import BOT_ID, BOT_USERNAME, StandInBotApi, admin
from bot.app import App, running_app
from bot.config import LoadedConfig, load_config
from storage.chats import ChatRepo
from storage.records import ChatRecord

GROUP = -1001234567890
GROUP_ID = f"tg:{GROUP}"
OLD_GROUP = -4001
NEW_GROUP = -1004001
OWNER, MEMBER, STRANGER, PROBE = 111, 222, 555, 999
AD = "加薇信 abc12345 领取福利"  # 薇信: a disguised keyword, specific evidence (warns)
BOT = {"id": BOT_ID, "is_bot": True, "first_name": "Qunguan", "username": BOT_USERNAME}
CONFIG = """
telegram: {{base_url: "{base}"}}
storage: {{url: "sqlite+aiosqlite:///{db}"}}
playground: {{enabled: false}}
defaults:
  language: en
  rules: ["No ads"]
  notices: {{auto_delete: 1h}}
  policies: {{ads: {{mode: enforce}}}}
  scores: {{AD_CONTACT_WECHAT: 8}}  # the test ad is always worth a warn, whatever the defaults
chats:
  "{old}": {{language: zh-CN, rules: ["旧群规：友善交流"]}}
  "-1007007": {{features: {{onboarding: {{leave_if_added_by_non_admin: false}}}}}}
"""
_ids = itertools.count(5000)


def user(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"user{uid}"}


def chat(chat_id: int, kind: str = "supergroup", title: str = "Test Group") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": f"user{chat_id}"}
    return {"id": chat_id, "type": kind, "title": title}


def bot_member(status: str, **rights: bool) -> dict[str, Any]:
    """The bot as a ChatMember: ``administrator`` (every right unless set False), ``member``,
    ``left`` or ``kicked``."""
    if status == "administrator":
        return {**admin(BOT_ID, **rights), "user": BOT}
    extra = {"until_date": 0} if status == "kicked" else {}
    return {"status": status, "user": BOT, **extra}


def membership(chat_id: int, new: dict[str, Any], old: dict[str, Any] | None = None, *,
               by: int = OWNER, kind: str = "supergroup") -> dict[str, Any]:
    """A my_chat_member update: the bot's status in ``chat_id`` changed from ``old`` to ``new``."""
    return {"update_id": next(_ids), "my_chat_member": {
        "chat": chat(chat_id, kind), "from": user(by), "date": int(time.time()),
        "old_chat_member": old or bot_member("left"), "new_chat_member": new}}


def message(chat_id: int, uid: int, text: str, *, kind: str = "supergroup",
            **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": next(_ids), "from": user(uid), "chat": chat(
        chat_id, kind), "date": int(time.time()), **extra}
    if text:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0,
                                 "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": body}


def press(chat_id: int, uid: int, data: str) -> dict[str, Any]:
    return {"update_id": next(_ids), "callback_query": {
        "id": f"cbq-{next(_ids)}", "from": user(uid), "chat_instance": "-1", "data": data,
        "message": {"message_id": next(_ids), "from": BOT, "chat": chat(chat_id),
                    "date": int(time.time()), "text": "hello"}}}


def sent_to(api: StandInBotApi, chat_id: int) -> list[dict[str, Any]]:
    return [c for c in api.of("sendMessage") if c["chat_id"] == chat_id]


async def settle(api: StandInBotApi) -> None:
    """Once a private /start probe is answered, every update fed before it has been received;
    chats are handled concurrently, so the running apps are then settled (every received
    update handled and durable, its platform calls made)."""
    from bot.app import live_apps

    before = len(sent_to(api, PROBE))
    await api.feed(message(PROBE, PROBE, "/start", kind="private"))
    while True:
        seen = len(api.of("sendMessage"))
        if len(sent_to(api, PROBE)) > before:
            break
        await api.wait_for("sendMessage", seen + 1)
    for app in live_apps():
        await app.settle()


def config_for(api: StandInBotApi, tmp_path: Path) -> tuple[LoadedConfig, dict[str, str], Path]:
    path = tmp_path / "qunguan.yaml"
    path.write_text(CONFIG.format(base=api.base_url, db=tmp_path / "q.db", old=OLD_GROUP),
                    encoding="utf-8")
    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN"}
    return load_config(path, env=env), env, path


@asynccontextmanager
async def serving(api: StandInBotApi, tmp_path: Path) -> AsyncIterator[App]:
    """The app as ``qunguan run`` wires it, polling the stand-in; returns once it polls."""
    config, env, _ = config_for(api, tmp_path)
    polls = len(api.of("getUpdates"))
    async with running_app(config, env=env, port=0) as app:
        await api.wait_for("getUpdates", polls + 1)
        yield app


async def record(app: App, chat_id: str) -> ChatRecord:
    assert app.services is not None
    async with app.services.db.session() as session:
        found = await ChatRepo(session).get(chat_id)
    assert found is not None, f"{chat_id} is not stored"
    return found


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        server.admins[GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
        yield server
