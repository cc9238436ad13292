"""Community features end to end: Telegram updates into the stand-in Bot API, calls out."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from bot.app import App, running_app
from bot.config import load_config
from tests.community.conftest import Clock
from tests.onboarding import conftest as onboarding
from tests.onboarding.conftest import chat, message, settle, user

GROUP, OWNER = -1005550001, 111
CONFIG = """
telegram: {{base_url: "{base}"}}
storage: {{url: "sqlite+aiosqlite:///{db}"}}
playground: {{enabled: false}}
defaults:
  language: en
  timezone: Asia/Shanghai
  features:
    checkin: {{enabled: true}}
    capacity: {{enabled: true, capacity: 1}}
"""
# 2026-03-02 23:58 in Shanghai (UTC+8)
LATE = datetime(2026, 3, 2, 15, 58, tzinfo=UTC)
_ids = onboarding._ids  # one update_id sequence with the probe /start (offsets must grow)


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        server.admins[GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
        yield server


@asynccontextmanager
async def serving(api: StandInBotApi, tmp_path: Path, clock: Clock) -> AsyncIterator[App]:
    path = tmp_path / "qunguan.yaml"
    path.write_text(CONFIG.format(base=api.base_url, db=tmp_path / "q.db"), encoding="utf-8")
    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN"}
    polls = len(api.of("getUpdates"))
    async with running_app(load_config(path, env=env), env=env, port=0, clock=clock) as app:
        await api.wait_for("getUpdates", polls + 1)
        yield app


def join_request(uid: int) -> dict[str, Any]:
    return {"update_id": next(_ids), "chat_join_request": {
        "chat": chat(GROUP), "from": user(uid), "user_chat_id": uid, "date": int(time.time())}}


def member_change(uid: int, old: str, new: str) -> dict[str, Any]:
    return {"update_id": next(_ids), "chat_member": {
        "chat": chat(GROUP), "from": user(uid), "date": int(time.time()),
        "old_chat_member": {"status": old, "user": user(uid)},
        "new_chat_member": {"status": new, "user": user(uid)}}}


def texts_to(api: StandInBotApi, chat_id: int) -> list[str]:
    return [str(c["text"]) for c in api.of("sendMessage") if int(c["chat_id"]) == chat_id]


async def test_checkin_over_telegram_counts_local_days_across_midnight(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(LATE)
    async with serving(api, tmp_path, clock):
        await api.feed(message(GROUP, 222, "/checkin"))
        await settle(api)
        await api.feed(message(GROUP, 222, "/checkin"))
        await settle(api)
        clock.advance(minutes=3)  # 00:01 the next day in Shanghai (16:01 UTC, same UTC day)
        await api.feed(message(GROUP, 222, "/checkin"))
        await settle(api)
        clock.advance(days=2)  # a day skipped: the streak starts again
        await api.feed(message(GROUP, 222, "/checkin"))
        await settle(api)
    replies = texts_to(api, GROUP)
    assert replies[0].startswith("user222 checked in: 1 day(s) in a row (best 1)")
    assert replies[1].startswith("user222, you already checked in today (1 day(s) in a row)")
    assert replies[2].startswith("user222 checked in: 2 day(s) in a row (best 2)")
    assert replies[3].startswith("user222 checked in: 1 day(s) in a row (best 2)")


async def test_waitlist_over_telegram_approves_in_queue_order_as_members_leave(
        api: StandInBotApi, tmp_path: Path) -> None:
    async with serving(api, tmp_path, Clock(LATE)):
        for uid in (301, 302, 303):
            await api.feed(join_request(uid))
            await settle(api)
        approved = [int(c["user_id"]) for c in api.of("approveChatJoinRequest")]
        assert approved == [301]  # capacity 1: the others wait
        assert "number 1 in the waiting list" in texts_to(api, 302)[0]
        assert "number 2 in the waiting list" in texts_to(api, 303)[0]
        await api.feed(member_change(301, "left", "member"))
        await settle(api)
        assert len(api.of("approveChatJoinRequest")) == 1  # 301 took the reserved seat
        await api.feed(member_change(301, "member", "left"))
        await settle(api)
        assert [int(c["user_id"]) for c in api.of("approveChatJoinRequest")] == [301, 302]
        assert "request to join was approved" in texts_to(api, 302)[-1]
        await api.feed(member_change(302, "left", "member"), member_change(302, "member", "left"))
        await settle(api)
    assert [int(c["user_id"]) for c in api.of("approveChatJoinRequest")] == [301, 302, 303]


async def test_capacity_starts_from_telegrams_member_count_of_an_existing_group(
        api: StandInBotApi, tmp_path: Path) -> None:
    """The bot joins a group that is already full (Telegram counts 1 of 1): nobody it has
    never seen is assumed absent, so the first request waits."""
    api.member_counts[GROUP] = 1
    async with serving(api, tmp_path, Clock(LATE)):
        await api.feed(join_request(401))
        await settle(api)
        assert api.of("approveChatJoinRequest") == []
        assert "number 1 in the waiting list" in texts_to(api, 401)[0]
        await api.feed(member_change(111, "member", "left"))  # someone leaves: a seat frees
        await settle(api)
    assert [int(c["user_id"]) for c in api.of("approveChatJoinRequest")] == [401]
    assert [int(c["chat_id"]) for c in api.of("getChatMemberCount")] == [GROUP]
