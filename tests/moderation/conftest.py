"""Moderation tests: an App on a temp SQLite, the recording gateway, commands through dispatch."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import load_config
from bot.events import Command, Kind, Message, ReplyRef, Role, Segment, Sender
from bot.gateway_fake import RecordingGateway
from bot.ports import LogEntry
from handlers.services import Services
from policies.classifier import ModelBook
from storage.logs import LogRepo

ROOT = Path(__file__).resolve().parents[2]
CHAT = "test:-100"
LOG_CHAT = "test:-999"
START = datetime(2026, 11, 22, 10, tzinfo=UTC)
MOD = Sender("test:1", "Mod", "mod", role=Role.ADMIN)
MEMBER = Sender("test:7", "Member", "member7")
OTHER = Sender("test:8", "Other", "other8")


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Harness:
    """The services, the gateway, the clock and helpers to speak as a moderator or member."""

    services: Services
    gateway: RecordingGateway
    clock: Clock
    config_path: Path
    ids: list[int] = field(default_factory=lambda: [500])

    async def command(self, name: str, *args: str, sender: Sender = MOD, reply_to: Message |
                      None = None, chat: str = CHAT, private: bool = False) -> list[str]:
        """Run a command; returns the texts the bot sent because of it."""
        self.ids[0] += 1
        ref = None
        if reply_to is not None:
            ref = ReplyRef(reply_to.message_id, reply_to.sender.id, reply_to.text)
        before = len(self.gateway.calls)
        await self.services.dispatcher(Command(chat, sender, self.clock(), name, args,
                                               str(self.ids[0]), ref, is_private=private),
                                       self.gateway)
        return [c.args["text"] for c in self.gateway.calls[before:]
                if c.name == "send" and c.chat == chat]

    def sent(self, chat: str) -> list[str]:
        return [c.args["text"] for c in self.gateway.calls if c.name == "send" and c.chat == chat]

    async def say(self, sender: Sender, text: str) -> Message:
        self.ids[0] += 1
        message = Message(CHAT, str(self.ids[0]), sender, self.clock(),
                          (Segment(Kind.TEXT, text),))
        await self.services.dispatcher(message, self.gateway)
        return message

    async def entries(self, chat: str = CHAT, n: int = 50) -> list[LogEntry]:
        async with self.services.db.session() as session:
            return list(reversed(await LogRepo(session).recent(chat, n)))

    def calls(self, *names: str) -> list[str]:
        return [c.name for c in self.gateway.calls if c.name in names]


@pytest.fixture
async def harness(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    path = tmp_path / "config.yaml"
    shutil.copy(ROOT / "config.example.yaml", path)
    extra = getattr(request, "param", "")
    if extra:  # tests may replace the example's empty networks section
        path.write_text(path.read_text(encoding="utf-8").replace("\nnetworks: {}\n", extra),
                        encoding="utf-8")
    loaded = load_config(path, env={"QUNGUAN_DATABASE_URL":
                                    f"sqlite+aiosqlite:///{tmp_path}/q.db"})
    loaded = replace(loaded, default=loaded.default.model_copy(
        update={"log_chat": LOG_CHAT, "language": "en"}))
    clock = Clock()
    app = App(loaded, env={}, port=0, clock=clock)
    services = app.build()
    services.extras["classifier_book"] = ModelBook()
    await services.db.upgrade()
    gateway = RecordingGateway("test")
    services.gateways["test"] = gateway
    for hook in services.extras.get("startup", []):
        if hook.__name__ != "start_purging":
            await hook(services)
    yield Harness(services, gateway, clock, path)
    await services.extras["mod_relay"].stop()
    await services.db.dispose()
