"""The services every handler is built from: what the composition root hands each use-case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.config import LoadedConfig
from bot.dispatcher import Dispatcher
from bot.enforcer import Enforcer
from bot.gateway import ChatGateway
from bot.history import ChatHistory
from bot.ledger import UpdateLedger
from bot.notifier import Notifier
from bot.runtime import RuntimeBook
from bot.snapshots import ActivityBuffer, SnapshotCache
from storage.db import Database
from storage.moderation import SqlModerationStore


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """The shared services handlers are built from."""

    config: LoadedConfig
    db: Database
    book: RuntimeBook
    store: SqlModerationStore
    notifier: Notifier
    enforcer: Enforcer
    snapshots: SnapshotCache
    activity: ActivityBuffer
    history: ChatHistory
    dispatcher: Dispatcher
    ledger: UpdateLedger
    gateways: dict[str, ChatGateway] = field(default_factory=dict)
    clock: Callable[[], datetime] = utcnow
    extras: dict[str, Any] = field(default_factory=dict)
