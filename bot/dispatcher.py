"""The event sink adapters deliver to: de-duplicate, route by event type, never crash."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from bot.events import Event
from bot.gateway import ChatGateway
from bot.ledger import UpdateLedger

log = logging.getLogger(__name__)

Handler = Callable[[Any, ChatGateway], Awaitable[None]]


class Dispatcher:
    """Implements ``bot.ports.EventSink``: every handler of the event's type runs in order."""

    def __init__(self, ledger: UpdateLedger | None = None) -> None:
        self.ledger = ledger
        self._handlers: dict[type[Any], list[Handler]] = defaultdict(list)
        self.errors = 0
        self.duplicates = 0

    def on(self, event_type: type[Any], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    async def __call__(self, event: Event, gateway: ChatGateway, update_key: str = "") -> None:
        if update_key and self.ledger is not None and not await self.ledger.claim(update_key):
            self.duplicates += 1
            log.debug("duplicate delivery %s skipped", update_key)
            return
        for handler in self._handlers.get(type(event), ()):
            try:
                await handler(event, gateway)
            except Exception:
                self.errors += 1
                log.exception("handler %s failed on %s", getattr(handler, "__qualname__", handler),
                              type(event).__name__)
