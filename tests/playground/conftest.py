"""A playground on aiohttp's test server, with WebSocket helpers that read frames by type."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.client_ws import ClientWebSocketResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.local import LocalAdapter

from .sink import RecordingSink


@dataclass
class Clock:
    """A settable clock: mute expiry without sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2026, 5, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Page:
    """One connected browser, as the protocol sees it."""

    def __init__(self, ws: ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    async def send(self, **frame: Any) -> None:
        await self.ws.send_str(json.dumps(frame))

    async def next(self, kind: str, wait: float = 5.0) -> dict[str, Any]:
        """The next frame of type ``kind`` (frames of other types are kept in ``seen``)."""
        while True:
            raw = await self.ws.receive_str(timeout=wait)
            data: dict[str, Any] = json.loads(raw)
            self.seen.append(data)
            if data["type"] == kind:
                return data


@dataclass
class Playground:
    adapter: LocalAdapter
    client: TestClient[Any, Any]
    sink: RecordingSink
    clock: Clock

    async def page(self) -> Page:
        page = Page(await self.client.ws_connect("/ws"))
        await page.next("state")
        return page

    def member_id(self, name_prefix: str) -> str:
        return next(m.id for m in self.adapter.state.members.values()
                    if m.name.startswith(name_prefix))


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def playground(sink: RecordingSink) -> AsyncIterator[Playground]:
    clock = Clock()
    adapter = LocalAdapter(sink, title="test lobby", clock=clock)
    app = web.Application()
    adapter.install(app)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    await adapter.start()
    try:
        yield Playground(adapter, client, sink, clock)
    finally:
        await adapter.stop()
        await client.close()

