"""Platforms without per-right detail (OneBot): the admin role is the right, and a bridge's
capabilities decide which rights matter; a chat known before the bot tracked itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.events import BotMembership
from bot.gateway import Capability
from bot.gateway_fake import RecordingGateway
from handlers.services import Services
from storage.chats import ChatRepo
from tests.onboarding.conftest import CONFIG

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    from bot.config import load_config

    path = tmp_path / "qunguan.yaml"
    path.write_text(CONFIG.format(base="http://127.0.0.1:9/bot", db=tmp_path / "q.db",
                                  old=-4001), encoding="utf-8")
    app = App(load_config(path, env={}), env={}, clock=lambda: NOW)
    built = app.build()
    await built.db.upgrade()
    yield built
    await built.db.dispose()


def texts(gateway: RecordingGateway) -> list[str]:
    return [str(c.args["text"]) for c in gateway.of("send")]


async def test_a_qq_group_observes_until_the_bot_is_made_admin(services: Services) -> None:
    qq = RecordingGateway("qq")
    await services.dispatcher(BotMembership("qq:123", NOW, "member"), qq)
    assert "can_delete_messages" in texts(qq)[0] and "can_pin_messages" not in texts(qq)[0]
    assert services.book.get("qq:123").scoring.observe_chat
    await services.dispatcher(BotMembership("qq:123", NOW, "admin"), qq)
    assert "fully on" in texts(qq)[-1]
    assert not services.book.get("qq:123").scoring.observe_chat


async def test_a_wechat_bridge_that_can_only_kick_needs_only_the_restrict_right(
    services: Services
) -> None:
    wx = RecordingGateway("wx", frozenset({Capability.SEND, Capability.KICK}))
    await services.dispatcher(BotMembership("wx:9@chatroom", NOW, "member"), wx)
    async with services.db.session() as s:
        stored = await ChatRepo(s).get("wx:9@chatroom")
    assert stored is not None and stored.missing_rights == ("can_restrict_members",)


async def test_a_chat_served_before_status_tracking_is_not_welcomed_again(
    services: Services
) -> None:
    async with services.db.session() as s:
        await ChatRepo(s).upsert("qq:77", at=NOW, title="old friends")
    qq = RecordingGateway("qq")
    await services.dispatcher(BotMembership("qq:77", NOW, "admin"), qq)
    assert texts(qq) == []
    async with services.db.session() as s:
        stored = await ChatRepo(s).get("qq:77")
    assert stored is not None and stored.settings["onboarding"]["status"] == "admin"
