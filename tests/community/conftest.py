"""Community test helpers: an App on temp SQLite with a controlled clock and a recording gateway."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from sqlalchemy import text

from bot.app import App
from bot.config import LoadedConfig, load_config
from bot.events import Command, Message, ReplyRef, Segment, Sender
from bot.events import Kind as K
from bot.gateway_fake import RecordingGateway
from handlers.services import Services
from storage.db import Database
from storage.testing import PG_URL

CHAT = "test:-100"
# 2026-03-02 09:00 in Asia/Shanghai (UTC+8), a Monday
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def write_config(tmp_path: Path, features: dict[str, Any], *, db: str = "q.db",
                 extra: dict[str, Any] | None = None, url: str = "") -> LoadedConfig:
    data: dict[str, Any] = {
        "storage": {"url": url or f"sqlite+aiosqlite:///{tmp_path / db}"},
        "playground": {"enabled": False},
        "defaults": {"timezone": "Asia/Shanghai", "language": "en", "features": features},
    }
    data.update(extra or {})
    path = tmp_path / "config.yaml"
    with path.open("w", encoding="utf-8") as fh:
        YAML().dump(data, fh)
    return load_config(path, env={})


@dataclass
class Bot:
    """One App's services, its gateway and clock; helpers to send events."""

    services: Services
    gateway: RecordingGateway
    clock: Clock
    ids: list[int] = field(default_factory=lambda: [0])

    def _next(self) -> str:
        self.ids[0] += 1
        return str(self.ids[0])

    async def command(self, sender: Sender, name: str, *args: str, chat: str = CHAT,
                      reply_to: ReplyRef | None = None, private: bool = False) -> None:
        await self.services.dispatcher(Command(chat, sender, self.clock(), name, args,
                                               self._next(), reply_to, is_private=private),
                                       self.gateway)

    async def say(self, sender: Sender, text: str, *, chat: str = CHAT,
                  reply_to: ReplyRef | None = None, mentions: tuple[Segment, ...] = ()
                  ) -> str:
        message_id = self._next()
        await self.services.dispatcher(Message(chat, message_id, sender, self.clock(),
                                               (Segment(K.TEXT, text), *mentions), reply_to),
                                       self.gateway)
        return message_id

    def texts(self) -> list[str]:
        return [c.args["text"] for c in self.gateway.of("send")]

    def last(self) -> str:
        return self.texts()[-1]


async def make_bot(config: LoadedConfig, clock: Clock) -> Bot:
    app = App(config, env={}, port=0, clock=clock)
    services = app.build()
    await services.db.upgrade()
    gateway = RecordingGateway("test")
    services.gateways["test"] = gateway
    return Bot(services, gateway, clock)


BotFactory = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def bot_factory(tmp_path: Path) -> AsyncIterator[BotFactory]:
    made: list[Bot] = []

    async def factory(features: dict[str, Any], clock: Clock | None = None,
                      **kwargs: Any) -> Bot:
        bot = await make_bot(write_config(tmp_path, features, **kwargs), clock or Clock())
        made.append(bot)
        return bot

    yield factory
    for bot in made:
        await bot.services.db.dispose()


ALICE = Sender("test:1", "Alice")
BOB = Sender("test:2", "Bob")
CAROL = Sender("test:3", "Carol")


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of its own (dropped afterwards); skipped if unreachable."""
    name = f"qg_{uuid.uuid4().hex[:10]}"
    admin = Database(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        await admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    base = PG_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()
