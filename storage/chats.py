"""ChatRepo: the chats the bot serves, their status and settings; migration to a new id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import split_id
from storage.models import CHAT_TABLES, ChatRow, ClassifierRow
from storage.records import ChatRecord


def _record(row: ChatRow) -> ChatRecord:
    return ChatRecord(
        chat=row.chat, platform=row.platform, title=row.title, chat_type=row.chat_type,
        profile=row.profile, language=row.language, active=row.active,
        missing_rights=tuple(row.missing_rights or ()), settings=dict(row.settings or {}),
        member_count=row.member_count, added_at=row.added_at,
    )


class ChatRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, chat: str) -> ChatRecord | None:
        row = await self.session.get(ChatRow, chat)
        return _record(row) if row else None

    async def upsert(self, chat: str, *, at: datetime, **fields: Any) -> ChatRecord:
        """Create or update a chat; unknown field names raise TypeError."""
        row = await self.session.get(ChatRow, chat)
        if row is None:
            row = ChatRow(chat=chat, platform=split_id(chat)[0], added_at=at, title="",
                          chat_type="group", profile="default", language="", active=True,
                          missing_rights=[], settings={})
            self.session.add(row)
        for name, value in fields.items():
            if not hasattr(ChatRow, name) or name in {"chat", "platform"}:
                raise TypeError(f"unknown chat field {name!r}")
            setattr(row, name, list(value) if name == "missing_rights" else value)
        row.updated_at = at
        await self.session.flush()
        return _record(row)

    async def set_active(self, chat: str, active: bool, at: datetime) -> None:
        await self.upsert(chat, at=at, active=active)

    async def update_settings(self, chat: str, at: datetime, **values: Any) -> dict[str, Any]:
        row = await self.session.get(ChatRow, chat)
        settings = dict(row.settings or {}) if row else {}
        settings.update(values)
        await self.upsert(chat, at=at, settings=settings)
        return settings

    async def list(self, *, active: bool | None = None) -> list[ChatRecord]:
        query = select(ChatRow).order_by(ChatRow.chat)
        if active is not None:
            query = query.where(ChatRow.active.is_(active))
        return [_record(r) for r in (await self.session.execute(query)).scalars()]

    async def migrate(self, old: str, new: str, at: datetime) -> int:
        """Move every row of ``old`` to ``new`` (group → supergroup); returns rows moved."""
        moved = 0
        old_row = await self.session.get(ChatRow, old)
        if old_row is not None and await self.session.get(ChatRow, new) is None:
            record = _record(old_row)
            await self.session.delete(old_row)
            await self.session.flush()
            self.session.add(ChatRow(
                chat=new, platform=record.platform, title=record.title, chat_type="supergroup",
                profile=record.profile, language=record.language, active=True,
                missing_rights=list(record.missing_rights), settings=dict(record.settings),
                member_count=record.member_count, added_at=record.added_at, updated_at=at,
            ))
            moved += 1
        for table in CHAT_TABLES:
            column = table.__table__.c.chat
            result = await self.session.execute(
                update(table).where(column == old).values(chat=new))
            moved += int(getattr(result, "rowcount", 0))
        result = await self.session.execute(update(ClassifierRow).where(
            ClassifierRow.scope == old).values(scope=new))
        moved += int(getattr(result, "rowcount", 0))
        await self.session.flush()
        return moved
