"""StateRepo: small per-chat JSON markers (e.g. the last day a duty announcement was made)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.classifier import ClassifierRepo
from storage.duty import DutyRepo
from storage.gates import GateRepo
from storage.models import CounterRow


class StateRepo:
    """Per-chat JSON values by key; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, chat: str, key: str) -> dict[str, Any]:
        row = await self.session.get(CounterRow, (chat, key))
        return dict(row.value) if row else {}

    async def put_new(self, chat: str, key: str, value: dict[str, Any], at: datetime) -> bool:
        """Store ``value`` unless the key exists (True when stored); the first writer wins."""
        try:
            async with self.session.begin_nested():
                self.session.add(CounterRow(chat=chat, key=key, value=value, updated_at=at))
        except IntegrityError:
            return False
        return True

    async def put(self, chat: str, key: str, value: dict[str, Any], at: datetime) -> None:
        row = await self.session.get(CounterRow, (chat, key))
        if row is None:
            self.session.add(CounterRow(chat=chat, key=key, value=value, updated_at=at))
        else:
            row.value, row.updated_at = value, at


#: Earlier home of these repositories; import them from their own modules.
__all__ = ["ClassifierRepo", "DutyRepo", "GateRepo", "StateRepo"]
