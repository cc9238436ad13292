"""ClassifierRepo: serialized classifier models by scope (a chat id, a network, ``global``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ClassifierRow


class ClassifierRepo:
    """Model bytes in the model's own format (never pickle); the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, scope: str) -> bytes | None:
        row = await self.session.get(ClassifierRow, scope)
        return bytes(row.data) if row else None

    async def save(self, scope: str, data: bytes, at: datetime | None = None) -> None:
        """Create or replace the model of ``scope``."""
        at = at or datetime.now(UTC)
        row = await self.session.get(ClassifierRow, scope)
        if row is None:
            self.session.add(ClassifierRow(scope=scope, data=data, updated_at=at))
        else:
            row.data, row.updated_at = data, at
        await self.session.flush()

    async def updated_at(self, scope: str) -> datetime | None:
        row = await self.session.get(ClassifierRow, scope)
        return row.updated_at if row else None

    async def delete(self, scope: str) -> bool:
        result = await self.session.execute(delete(ClassifierRow).where(
            ClassifierRow.scope == scope))
        return bool(getattr(result, "rowcount", 0))

    async def scopes(self) -> list[str]:
        rows = await self.session.execute(select(ClassifierRow.scope).order_by(
            ClassifierRow.scope))
        return list(rows.scalars())
