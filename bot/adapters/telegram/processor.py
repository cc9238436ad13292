"""One parsed update → admin cache kept fresh → neutral events → the sink, with its update key."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from telegram import Chat, Update
from telegram import Message as TgMessage

from bot.adapters.telegram.admins import AdminCache
from bot.adapters.telegram.fastpath import PlainMessage, message_events
from bot.adapters.telegram.gateway import TelegramGateway
from bot.adapters.telegram.images import PhotoFetcher
from bot.adapters.telegram.intake import is_skipped
from bot.adapters.telegram.mapping import MapContext, is_staff, map_update
from bot.events import ButtonPress, Event, MemberJoined, MemberLeft
from bot.faults import Faults
from bot.metrics import Meter
from bot.ports import EventSink

log = logging.getLogger(__name__)

_GROUPS = (Chat.GROUP, Chat.SUPERGROUP)


class _Recent:
    """Join/leave transitions seen lately: Telegram reports one both as a service message and
    as a chat_member update; the first one wins."""

    def __init__(self, ttl: float = 120.0, size: int = 10_000) -> None:
        self._ttl = ttl
        self._size = size
        self._seen: OrderedDict[tuple[str, str, str], float] = OrderedDict()

    def first(self, key: tuple[str, str, str]) -> bool:
        now = time.monotonic()
        seen = self._seen.get(key)
        if seen is not None and now - seen < self._ttl:
            return False
        self._seen[key] = now
        self._seen.move_to_end(key)
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True

    def forget(self, key: tuple[str, str, str]) -> None:
        self._seen.pop(key, None)


def update_key(update_id: int, index: int) -> str:
    """``tg:<update_id>`` for an update's first event; ``tg:<update_id>#<i>`` for later ones
    (two members joining in one service message are two events, each processed once)."""
    return f"tg:{update_id}" if index == 0 else f"tg:{update_id}#{index}"


class UpdateProcessor:
    """Delivers every event of an update to the sink; never raises."""

    def __init__(
        self,
        sink: EventSink,
        gateway: TelegramGateway,
        admins: AdminCache,
        context: MapContext,
        photos: PhotoFetcher | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.sink = sink
        self.gateway = gateway
        self.admins = admins
        self.context = context
        self.photos = photos
        self._recent = _Recent()
        self.faults = faults or Faults()
        #: malformed updates by cause (``/metrics``); the dispatcher's when it has one
        self.meter: Meter = getattr(sink, "meter", None) or Meter()
        self.handled = 0  # updates that reached us (the watchdog's progress mark)

    async def __call__(self, update: Update) -> None:
        self.handled += 1
        if is_skipped(update):
            return
        try:
            await self._process(update)
        except Exception as exc:
            self.faults.note("telegram.update_failed", "telegram update %s failed: %s",
                             update.update_id, type(exc).__name__, level=logging.ERROR)
            log.debug("telegram update %s failed", update.update_id, exc_info=True)

    async def _process(self, update: Update) -> None:
        if isinstance(update, PlainMessage):  # a plain group message, never parsed by PTB
            await self.admins.ensure(update.chat_id)
            await self._deliver(update, self._plain_events(update), None)
            return
        chat = update.effective_chat
        if chat is not None and chat.type in _GROUPS:
            self._refresh_rights(update, chat.id)
            if update.my_chat_member is None:
                await self.admins.ensure(chat.id)
        events = map_update(update, self.context, self.faults, self.meter)
        await self._deliver(update, events, update.message or update.edited_message)
        query = update.callback_query
        if query is not None and any(isinstance(e, ButtonPress) for e in events):
            await self.gateway.answer_button(query.id)

    def _plain_events(self, update: PlainMessage) -> list[Event]:
        """``map_update``'s events for the carrier's message; ``[]`` (counted) on failure."""
        try:
            return message_events(update.raw, update.update_id, self.context)
        except Exception as exc:
            self.meter.malformed_update("tg", "telegram.unmappable")
            self.faults.note("telegram.unmappable", "skipping telegram update %s: %s",
                             update.update_id, type(exc).__name__)
            log.debug("telegram update %s not mapped", update.update_id, exc_info=True)
            return []

    async def _deliver(self, update: Update, events: list[Event],
                       message: TgMessage | None) -> None:
        index = 0
        for event in events:
            if not self._first_transition(event):
                continue
            key = update_key(update.update_id, index)
            if self.photos is not None and self.photos.wants(event, message):
                async with self.photos.attached(event, message) as ready:
                    await self.sink(ready, self.gateway, key)
            else:
                await self.sink(event, self.gateway, key)
            index += 1

    def _refresh_rights(self, update: Update, chat_id: int) -> None:
        if update.my_chat_member is not None:
            self.admins.invalidate(chat_id)
            self.gateway.forget_notices(chat_id)
        elif update.chat_member is not None:
            cmu = update.chat_member
            if is_staff(cmu.old_chat_member) or is_staff(cmu.new_chat_member):
                self.admins.invalidate(chat_id)

    def _first_transition(self, event: Event) -> bool:
        if isinstance(event, MemberJoined):
            self._recent.forget((event.chat, event.user.id, "left"))
            return self._recent.first((event.chat, event.user.id, "join"))
        if isinstance(event, MemberLeft):
            self._recent.forget((event.chat, event.user.id, "join"))
            return self._recent.first((event.chat, event.user.id, "left"))
        return True
