"""Fixtures for OneBot tests: spec-shaped event files, a recording sink, a live server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.onebot import OneBotAdapter, OneBotSettings
from bot.events import Event
from bot.gateway import ChatGateway

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "onebot"


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait (polling the loop) until ``condition()`` holds; fail after ``within`` seconds."""
    steps = int(within / 0.01)
    for _ in range(steps):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {within}s")


def load(name: str) -> dict[str, Any]:
    """One spec-shaped event from tests/fixtures/onebot."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return data


class RecordingSink:
    """An EventSink that keeps what it was given."""

    def __init__(self) -> None:
        self.received: list[tuple[Event, ChatGateway, str]] = []

    async def __call__(self, event: Event, gateway: ChatGateway, update_key: str = "") -> None:
        self.received.append((event, gateway, update_key))

    @property
    def events(self) -> list[Event]:
        return [e for e, _, _ in self.received]

    @property
    def keys(self) -> list[str]:
        return [k for _, _, k in self.received]


class Served:
    """An adapter installed on a real aiohttp server listening on loopback."""

    def __init__(self, adapter: OneBotAdapter, server: TestServer, sink: RecordingSink) -> None:
        self.adapter = adapter
        self.server = server
        self.sink = sink

    def url(self, path: str, scheme: str = "http") -> str:
        return str(self.server.make_url(path)).replace("http", scheme, 1)

    @property
    def ws_url(self) -> str:
        return self.url(self.adapter.settings.ws_path, "ws")


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def serve(sink: RecordingSink) -> AsyncIterator[Callable[..., Any]]:
    """``await serve(**settings)`` → a Served adapter; everything is torn down afterwards."""
    started: list[Served] = []

    async def start(**settings: Any) -> Served:
        adapter = OneBotAdapter(OneBotSettings(**settings), sink)
        app = web.Application()
        adapter.install(app)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        await adapter.start()
        served = Served(adapter, server, sink)
        started.append(served)
        return served

    yield start
    for served in started:
        await served.adapter.stop()
        await served.server.close()
