"""/stats end to end: a member's command over the stand-in Bot API yields a PNG via sendPhoto."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from bot.charts import PNG_HEIGHT, PNG_WIDTH
from tests.community.conftest import START, Clock
from tests.community.standin_app import said, sent_to, serving
from tests.onboarding.conftest import settle

ZH, EN, OWNER, ALICE, BOB = -1005550031, -1005550032, 111, 222, 333
CHATS = f"""
chats:
  "{ZH}": {{language: zh-CN, features: {{points: {{enabled: true}}}}}}
  "{EN}": {{language: en, features: {{points: {{enabled: true}}}}}}
"""


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        for group in (ZH, EN):
            server.admins[group] = [admin(OWNER, owner=True), admin(BOT_ID)]
        yield server


def photos_to(api: StandInBotApi, chat_id: int) -> list[dict[str, Any]]:
    return [c for c in api.of("sendPhoto") if int(c["chat_id"]) == chat_id]


def decoded(call: dict[str, Any]) -> Image.Image:
    photo = call["photo"]
    assert isinstance(photo, bytes), "the stand-in records the uploaded bytes"
    image = Image.open(io.BytesIO(photo))
    image.load()
    return image


async def test_a_members_stats_in_a_zh_chat_is_a_png_of_the_documented_size_captioned_in_chinese(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)
    async with serving(api, tmp_path, clock, CHATS):
        for i in range(3):
            await api.feed(said(ZH, ALICE, f"大家好 {i}", clock()),
                           said(ZH, BOB, f"早上好 {i}", clock()))
        await settle(api)
        command = said(ZH, BOB, "/stats", clock())
        await api.feed(command)
        await api.wait_for("sendPhoto")
        (call,) = photos_to(api, ZH)
        image = decoded(call)
        assert image.format == "PNG"
        assert image.size == (PNG_WIDTH, PNG_HEIGHT) == (1200, 800)
        assert "最近 30 天" in call["caption"] and "贡献榜" in call["caption"]
        assert call["reply_parameters"]["message_id"] == command["message"]["message_id"]


async def test_stats_in_an_english_chat_is_captioned_in_english(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)
    async with serving(api, tmp_path, clock, CHATS):
        await api.feed(said(EN, ALICE, "hello", clock()))
        await api.feed(said(EN, ALICE, "/stats", clock()))
        await api.wait_for("sendPhoto")
        (call,) = photos_to(api, EN)
        assert decoded(call).size == (PNG_WIDTH, PNG_HEIGHT)
        assert "last 30 days" in call["caption"]


async def test_a_second_stats_within_a_minute_is_answered_politely_without_a_picture(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)
    async with serving(api, tmp_path, clock, CHATS):
        await api.feed(said(ZH, ALICE, "/stats", clock()))
        await api.wait_for("sendPhoto")
        clock.advance(seconds=20)
        await api.feed(said(ZH, BOB, "/统计", clock()))
        await settle(api)
        assert len(photos_to(api, ZH)) == 1
        assert any("40 秒后再试" in str(c["text"]) for c in sent_to(api, ZH))
        await api.feed(said(EN, BOB, "/stats", clock()))  # another chat has its own limit
        await api.wait_for("sendPhoto", 2)
        clock.advance(seconds=41)
        await api.feed(said(ZH, BOB, "/stats", clock()))
        await api.wait_for("sendPhoto", 3)
        assert len(photos_to(api, ZH)) == 2
