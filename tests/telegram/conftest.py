"""Shared helpers for the Telegram adapter tests: fixtures on disk, a recording sink."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.adapters.telegram.mapping import MapContext, map_update
from bot.adapters.telegram.standin import BOT_USERNAME
from bot.events import Event, Role
from bot.gateway import ChatGateway

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
    """An EventSink that keeps (event, update_key) pairs and dedupes keys like the core."""

    dedupe: bool = True
    received: list[tuple[Event, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    async def __call__(self, event: Event, gateway: ChatGateway, update_key: str = "") -> None:
        if self.dedupe and update_key in self.seen:
            return
        self.seen.add(update_key)
        self.received.append((event, update_key))

    @property
    def events(self) -> list[Event]:
        return [e for e, _ in self.received]


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()
