"""Shared helpers for the Telegram adapter tests: fixtures on disk, a recording sink."""

from __future__ import annotations

import asyncio
import copy
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
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


def qr_png(text: str) -> bytes:
    """A PNG holding one QR code of ``text``."""
    code = zxingcpp.write_barcode_to_image(
        zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode), scale=4)
    height, width = code.shape  # a zxingcpp.Image exposes its 8-bit pixels as a buffer
    return _png(Image.frombytes("L", (width, height), bytes(code)))  # type: ignore[call-overload]


def plain_png() -> bytes:
    """A PNG with no barcode in it (a grey gradient)."""
    return _png(Image.linear_gradient("L").resize((128, 128)))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def photo_update(update_id: int, message_id: int, sizes: list[tuple[str, int, int | None]],
                 *, user_id: int = 222, date: int | None = None) -> dict[str, Any]:
    """A member's photo message (no caption); ``sizes`` are (file_id, side, file_size)."""
    raw: dict[str, Any] = copy.deepcopy(load("photo_caption"))
    raw["update_id"] = update_id
    message = raw["message"]
    for key in ("caption", "caption_entities", "media_group_id"):
        del message[key]
    message["message_id"] = message_id
    message["from"]["id"] = user_id
    if date is not None:
        message["date"] = date
    message["photo"] = [
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": side, "height": side,
         **({} if size is None else {"file_size": size})}
        for file_id, side, size in sizes]
    return raw
