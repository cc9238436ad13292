"""The whole pipeline with real repositories on SQLite and the recording gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import LoadedConfig, load_config
from bot.events import Kind, Message, Segment, Sender
from bot.gateway_fake import RecordingGateway
from bot.verdict import Action
from handlers.services import Services
from storage.db import Database
from storage.logs import LogRepo

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
CHAT = "test:-100"


def config(tmp_path: Path, *, observe: bool = False) -> LoadedConfig:
    loaded = load_config(ROOT / "config.example.yaml",
                         env={"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/q.db"})
    if observe:
        loaded = replace(loaded, default=loaded.default.model_copy(update={"observe": True}))
    return loaded


@pytest.fixture
async def services(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Services]:
    observe = getattr(request, "param", False)
    app = App(config(tmp_path, observe=observe), env={}, port=0, clock=lambda: NOW)
    built = app.build()
    await built.db.upgrade()
    yield built
    await built.db.dispose()


def ad(n: int, sender: Sender) -> Message:
    return Message(CHAT, str(n), sender, NOW + timedelta(minutes=n),
                   (Segment(Kind.TEXT, f"兼职日结，加我薇信 qq88{n}66 详聊"),))


async def logged(db: Database) -> list[tuple[Action, bool]]:
    async with db.session() as session:
        entries = await LogRepo(session).recent(CHAT, 10)
    return sorted((e.action, e.observe) for e in entries)


async def test_three_ads_from_one_member_warn_then_mute_then_kick(services: Services) -> None:
    gateway = RecordingGateway("test")
    spammer = Sender("test:7", "Spammer")
    veteran = Sender("test:8", "Veteran")
    await services.dispatcher(Message(CHAT, "0", veteran, NOW, (Segment(Kind.TEXT,
                                      "今天的课讲得很清楚，谢谢老师"),)), gateway)
    assert gateway.calls == []
    for n in (1, 2, 3):
        await services.dispatcher(ad(n, spammer), gateway)
    assert [c.name for c in gateway.calls if c.name != "send"] == [
        "delete", "delete", "mute", "delete", "kick"]
    assert gateway.of("mute")[0].args["duration"] == timedelta(days=1)
    assert gateway.of("kick")[0].args["user"] == "test:7"
    assert await logged(services.db) == [(Action.WARN, False), (Action.MUTE, False),
                                         (Action.KICK, False)]
    async with services.db.session() as session:
        entry = (await LogRepo(session).recent(CHAT, 1))[0]
    assert "薇信" in entry.content["segments"][0]["text"]  # nothing deleted is lost
    assert any(symbol.startswith("AD_") for symbol in entry.symbols)


@pytest.mark.parametrize("services", [True], indirect=True)
async def test_observe_mode_logs_but_acts_on_nothing(services: Services) -> None:
    gateway = RecordingGateway("test")
    for n in (1, 2, 3):
        await services.dispatcher(ad(n, Sender("test:7", "Spammer")), gateway)
    assert gateway.calls == []
    entries = await logged(services.db)
    assert entries == [(Action.ALLOW, True)] * 3


async def test_a_redelivered_update_is_processed_once(services: Services) -> None:
    gateway = RecordingGateway("test")
    message = ad(1, Sender("test:7", "Spammer"))
    await services.dispatcher(message, gateway, "test:update:1")
    await services.dispatcher(message, gateway, "test:update:1")
    assert gateway.names().count("delete") == 1


async def test_a_crashing_policy_does_not_stop_the_others(services: Services) -> None:
    runtime = services.book.get(CHAT)

    class Broken:
        name = "broken"

        def check(self, message: object, ctx: object) -> list[object]:
            raise RuntimeError("boom")

    runtime.pipeline.policies = (Broken(), *runtime.pipeline.policies)  # type: ignore[assignment]
    gateway = RecordingGateway("test")
    await services.dispatcher(ad(1, Sender("test:7", "Spammer")), gateway)
    assert "delete" in gateway.names()
    assert runtime.pipeline.failures == {"broken": 1}


async def test_the_log_explains_every_finding_behind_a_decision(services: Services) -> None:
    gateway = RecordingGateway("test")
    await services.dispatcher(ad(1, Sender("test:7", "Spammer")), gateway)
    async with services.db.session() as session:
        (entry,) = await LogRepo(session).recent(CHAT, 1)
    parts = entry.reason.split(" + ")
    assert "Solicits contact on WeChat" in parts and len(parts) >= 3
    assert parts[-1].startswith("New member")  # the standing that scaled the evidence
