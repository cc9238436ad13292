"""Community features over the stand-in Bot API: the app with a held clock and dated updates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.adapters.telegram.standin import StandInBotApi
from bot.app import App, running_app
from bot.config import load_config
from handlers.community.common import Hub, get
from tests.community.conftest import Clock
from tests.onboarding import conftest as onboarding
from tests.onboarding.conftest import chat, user

BASE = """
telegram: {{base_url: "{base}"}}
storage: {{url: "sqlite+aiosqlite:///{db}"}}
playground: {{enabled: false}}
defaults:
  language: en
  timezone: Asia/Shanghai
"""
_ids = onboarding._ids  # one update_id sequence with the probe /start (offsets must grow)


@asynccontextmanager
async def serving(api: StandInBotApi, tmp_path: Path, clock: Clock,
                  extra: str = "") -> AsyncIterator[App]:
    """The app polling the stand-in; its background scheduler loop is stopped so that only
    the test's ``run_due(now)`` calls run the jobs."""
    path = tmp_path / "qunguan.yaml"
    path.write_text(BASE.format(base=api.base_url, db=tmp_path / "q.db") + extra,
                    encoding="utf-8")
    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN"}
    polls = len(api.of("getUpdates"))
    async with running_app(load_config(path, env=env), env=env, port=0, clock=clock) as app:
        await hub(app).scheduler.stop()
        await api.wait_for("getUpdates", polls + 1)
        yield app


def hub(app: App) -> Hub:
    assert app.services is not None
    return get(app.services)


async def run_jobs(app: App, now: datetime) -> list[str]:
    """Run the community jobs due at ``now`` (the names of those that ran)."""
    return await hub(app).scheduler.run_due(now)


def _date(when: datetime) -> int:
    return int(when.timestamp())


def joined_service(group: int, uid: int, when: datetime) -> dict[str, Any]:
    """A ``new_chat_members`` service message: ``uid`` joined ``group``."""
    return {"update_id": next(_ids), "message": {
        "message_id": next(_ids), "from": user(uid), "chat": chat(group), "date": _date(when),
        "new_chat_members": [user(uid)]}}


def member_change(group: int, uid: int, old: str, new: str,
                  when: datetime) -> dict[str, Any]:
    """A ``chat_member`` update: ``uid`` went from ``old`` to ``new`` status."""
    return {"update_id": next(_ids), "chat_member": {
        "chat": chat(group), "from": user(uid), "date": _date(when),
        "old_chat_member": {"status": old, "user": user(uid)},
        "new_chat_member": {"status": new, "user": user(uid)}}}


def said(group: int, uid: int, text: str, when: datetime) -> dict[str, Any]:
    """A group text message (a bot command when it starts with ``/``) dated ``when``."""
    body: dict[str, Any] = {"message_id": next(_ids), "from": user(uid), "chat": chat(group),
                            "date": _date(when), "text": text}
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0,
                             "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": body}


def pressed(group: int, uid: int, data: str, message_id: int) -> dict[str, Any]:
    """A ``callback_query``: ``uid`` pressed the button ``data`` under the bot's message."""
    return {"update_id": next(_ids), "callback_query": {
        "id": f"cbq-{next(_ids)}", "from": user(uid), "chat_instance": "-1", "data": data,
        "message": {"message_id": message_id, "from": onboarding.BOT, "chat": chat(group),
                    "date": 0, "text": "welcome"}}}


def sent_to(api: StandInBotApi, chat_id: int) -> list[dict[str, Any]]:
    return [c for c in api.of("sendMessage") if int(c["chat_id"]) == chat_id]


def restricted(api: StandInBotApi, uid: int) -> list[dict[str, Any]]:
    return [c for c in api.of("restrictChatMember") if int(c["user_id"]) == uid]


def button_data(call: dict[str, Any]) -> list[str]:
    """Every callback_data of a recorded sendMessage's inline keyboard."""
    markup = call.get("reply_markup") or {}
    return [str(b["callback_data"]) for row in markup.get("inline_keyboard", [])
            for b in row if "callback_data" in b]
