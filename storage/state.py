"""StateRepo: small per-chat JSON markers (e.g. the last day a duty announcement was made)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

    async def put(self, chat: str, key: str, value: dict[str, Any], at: datetime) -> None:
        row = await self.session.get(CounterRow, (chat, key))
        if row is None:
            self.session.add(CounterRow(chat=chat, key=key, value=value, updated_at=at))
        else:
            row.value, row.updated_at = value, at


#: Earlier home of these repositories; import them from their own modules.
__all__ = ["ClassifierRepo", "DutyRepo", "GateRepo", "StateRepo"]
