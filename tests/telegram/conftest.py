"""Shared helpers for the Telegram adapter tests: fixtures on disk, a recording sink."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.adapters.telegram.mapping import MapContext, map_update
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.standin import BOT_USERNAME, StandInBotApi
from bot.events import Event, Role
from bot.gateway import ChatGateway
from bot.i18n import t

FIXTURES = Path(__file__).parent.parent / "fixtures" / "telegram"
GROUP = -1001234567890
GROUP_ID = f"tg:{GROUP}"


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def roles(chat_id: int, user_id: int) -> Role:
    return {111: Role.OWNER, 333: Role.ADMIN}.get(user_id, Role.MEMBER)


CTX = MapContext(BOT_USERNAME, roles, frozenset({"tg:444"}))


def events_of(raw: dict[str, Any], ctx: MapContext = CTX) -> list[Event]:
    return map_update(Update.de_json(raw, None), ctx)


@dataclass
class RecordingSink:
    """An EventSink that keeps (event, update_key) pairs and dedupes keys like the core.

    ``act`` (optional) is awaited for every new event with the gateway, to drive Bot API calls.
    """

    act: Callable[[Event, ChatGateway], Awaitable[None]] | None = None
    received: list[tuple[Event, str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def __call__(self, event: Event, gateway: ChatGateway, update_key: str = "") -> None:
        self.keys.append(update_key)
        if update_key not in self.seen:
            self.seen.add(update_key)
            self.received.append((event, update_key))
            if self.act is not None:
                await self.act(event, gateway)
        async with self.changed:
            self.changed.notify_all()

    async def wait(self, deliveries: int, within: float = 10.0) -> None:
        """Until ``deliveries`` calls (duplicates included) have arrived."""
        async with asyncio.timeout(within), self.changed:
            await self.changed.wait_for(lambda: len(self.keys) >= deliveries)

    @property
    def events(self) -> list[Event]:
        return [e for e, _ in self.received]


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        yield server


COMMANDS = (("warn", t("Warn the replied member", "警告被回复的成员")),
            ("mute", t("Mute a member", "禁言成员")))


def settings_for(api: StandInBotApi, **overrides: Any) -> TelegramSettings:
    values: dict[str, Any] = {
        "token": "123456:TEST-TOKEN", "base_url": api.base_url,
        "base_file_url": f"http://127.0.0.1:{api.port}/file/bot", "poll_timeout": 1.0,
        "backoff_base": 0.01, "commands": COMMANDS, "moderators": frozenset({"tg:444"}),
        "read_timeout": 5.0,
    }
    values.update(overrides)
    return TelegramSettings(**values)
