"""The event sink adapters deliver to: de-duplicate, route by event type, never crash."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from enum import Enum
from typing import Any

from bot.events import Command, Event, Message
from bot.faults import Faults
from bot.gateway import ChatGateway
from bot.journal_acks import Acks
from bot.ledger import UpdateLedger
from bot.metrics import DUPLICATE, FAILED, HANDLED, Meter

log = logging.getLogger(__name__)

Handler = Callable[[Any, ChatGateway], Awaitable[object]]

#: the delivery key of the update being handled ("" outside one): a write-behind buffer
#: writes it with the effects it flushes, so a replay after a crash finds the update
#: processed instead of applying those effects twice
CURRENT_UPDATE: ContextVar[str] = ContextVar("qunguan_update", default="")


class Handled(Enum):
    """What a handler returns to end the handling of its event (later handlers skipped)."""

    STOP = "stop"


class Dispatcher:
    """Implements ``bot.ports.EventSink``: every handler of the event's type runs in order."""

    def __init__(self, ledger: UpdateLedger | None = None, faults: Faults | None = None,
                 meter: Meter | None = None) -> None:
        self.ledger = ledger
        #: per-cause counters of what adapters skipped and handlers failed (metrics)
        self.faults = faults or Faults()
        #: deliveries by platform and outcome, and what adapters count (``/metrics``)
        self.meter = meter or Meter()
        self._handlers: dict[type[Any], list[Handler]] = defaultdict(list)
        self.errors = 0
        self.duplicates = 0
        self._traced: set[tuple[str, str]] = set()
        #: deliveries from receipt to durability (polling confirms, webhooks answer by it)
        self.acks = Acks()
        #: what acts after the handlers returned (the enforcement outbox), for ``settle``
        self.settlers: list[Callable[[], Awaitable[None]]] = []

    def on(self, event_type: type[Any], handler: Handler, *, first: bool = False) -> None:
        """Run ``handler`` for every event of ``event_type``, after those added before it, or
        before all of them with ``first`` (a feature claiming some events, e.g. plain
        check-in words, returns ``Handled.STOP`` to keep them from the rest)."""
        if first:
            self._handlers[event_type].insert(0, handler)
        else:
            self._handlers[event_type].append(handler)

    async def settle(self) -> None:
        """Wait until what handlers left to do in the background is done (tests, stop)."""
        for settler in self.settlers:
            await settler()

    async def __call__(self, event: Event, gateway: ChatGateway, update_key: str = "") -> None:
        if update_key and self.ledger is not None and not await self.ledger.claim(update_key):
            self.duplicates += 1
            self.meter.updates[(gateway.platform, DUPLICATE)] += 1
            log.debug("duplicate delivery %s skipped", update_key)
            return
        if not await self._first_sight(event):
            self.duplicates += 1
            self.meter.updates[(gateway.platform, DUPLICATE)] += 1
            log.debug("message seen under another update id; %s skipped", update_key)
            return
        outcome = HANDLED
        current = CURRENT_UPDATE.set(update_key)
        try:
            for handler in list(self._handlers.get(type(event), ())):
                try:
                    stop = await handler(event, gateway) is Handled.STOP
                except Exception as exc:
                    self.errors += 1
                    outcome = FAILED
                    self._failed(handler, event, exc)
                    continue
                if stop:
                    break
        finally:
            CURRENT_UPDATE.reset(current)
        if update_key and self.ledger is not None:  # handled (not cancelled): stored with
            self.ledger.finish(update_key)  # the next flush, after its buffered effects
        self.meter.updates[(gateway.platform, outcome)] += 1

    async def _first_sight(self, event: Event) -> bool:
        if self.ledger is None or not isinstance(event, Message | Command) \
                or not event.message_id:
            return True
        edited = event.date.isoformat() if isinstance(event, Message) and event.edited else ""
        return await self.ledger.claim_message(event.chat, event.message_id, edited)

    def _failed(self, handler: Handler, event: Event, exc: Exception) -> None:
        """A handler's failure: its first traceback per (handler, error type) at ERROR, later
        ones as one counted, rate-limited line (no message text either way)."""
        name = str(getattr(handler, "__qualname__", type(handler).__name__))
        cause = (name, type(exc).__name__)
        if cause not in self._traced:
            self._traced.add(cause)
            log.error("handler %s failed on %s", name, type(event).__name__, exc_info=exc)
            self.faults.count("handler." + type(exc).__name__)
            return
        self.faults.note("handler." + type(exc).__name__, "handler %s failed on %s again: %s",
                         name, type(event).__name__, type(exc).__name__, level=logging.ERROR)
