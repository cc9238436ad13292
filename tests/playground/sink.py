"""A recording EventSink for playground tests: keeps every event, optionally reacts to it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.events import Event
from bot.gateway import ChatGateway

Reaction = Callable[[Event, ChatGateway], Awaitable[None]]


@dataclass
class RecordingSink:
    """Implements ``bot.ports.EventSink``; ``react`` plays the part of the bot's handlers."""

    react: Reaction | None = None
    events: list[Event] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, event: Event, gateway: ChatGateway, update_key: str = "") -> None:
        self.events.append(event)
        self.keys.append(update_key)
        self._arrived.set()
        if self.react is not None:
            await self.react(event, gateway)

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, kind: type[Any], count: int = 1, wait: float = 5.0) -> list[Any]:
        """Events of ``kind`` once ``count`` of them arrived (events may follow a frame later)."""
        async def arrived() -> list[Any]:
            while len(self.of(kind)) < count:
                self._arrived.clear()
                await self._arrived.wait()
            return self.of(kind)

        return await asyncio.wait_for(arrived(), wait)
