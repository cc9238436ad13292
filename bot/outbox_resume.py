"""After a restart: logged actions not yet carried out go out again; a message a crash left
logged but not marked processed is not handled twice."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.events import split_id
from bot.gateway import ChatGateway
from bot.ledger import MessageClaims
from bot.outbox import Order, Outbox
from bot.verdict import Action

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoggedAction:
    """A moderation log entry whose platform calls have no recorded outcome yet."""

    log_id: int
    chat: str
    user: str
    action: Action
    message_id: str
    until: datetime | None


class LoggedActions(Protocol):
    """The moderation log as a restart needs it (``storage/`` implements it)."""

    async def unfinished(self, since: datetime) -> list[LoggedAction]: ...

    async def logged(self, messages: Iterable[tuple[str, str]]) -> set[tuple[str, str]]: ...


def messages_of(raws: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(chat, message id) of the journaled Telegram updates that carry a new message."""
    found = []
    for raw in raws:
        message = raw.get("message")
        if isinstance(message, Mapping) and isinstance(message.get("chat"), Mapping):
            found.append((f"tg:{message['chat'].get('id')}", str(message.get("message_id"))))
    return found


async def claim_logged(store: LoggedActions, claims: MessageClaims,
                       raws: Iterable[Mapping[str, Any]]) -> int:
    """Claim the journaled messages already in the log (handled, then killed before their
    processed key was stored): their replay is skipped. Returns how many."""
    wanted = messages_of(raws)
    done = await store.logged(wanted) if wanted else set()
    for chat, message_id in done:
        claims.claim(chat, message_id)
    return len(done)


async def resume(store: LoggedActions, outbox: Outbox, gateways: Mapping[str, ChatGateway],
                 now: datetime, horizon: timedelta = timedelta(hours=1)) -> int:
    """Place again the actions decided within ``horizon`` whose outcome was never recorded
    (deleting an already deleted message or banning twice is harmless). Returns how many."""
    count = 0
    for entry in await store.unfinished(now - horizon):
        gateway = gateways.get(split_id(entry.chat)[0])
        if gateway is None:
            continue
        duration = entry.until - now if entry.until is not None and entry.until > now else None
        if entry.action == Action.MUTE and duration is None:
            continue  # the mute has run out meanwhile
        outbox.place(Order(gateway, entry.chat, entry.user, entry.action, entry.message_id,
                           duration, entry.log_id, "resumed after a restart", auto=False))
        count += 1
    if count:
        log.warning("resumed %d logged actions not carried out before a restart", count)
    return count
