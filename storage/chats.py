"""ChatRepo: the chats the bot serves, their status and settings; migration to a new id."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import split_id
from storage.chat_move import move_chat
from storage.models import ChatRow, MemberRow
from storage.records import ChatRecord


def _record(row: ChatRow) -> ChatRecord:
    return ChatRecord(
        chat=row.chat, platform=row.platform, title=row.title, chat_type=row.chat_type,
        profile=row.profile, language=row.language, active=row.active,
        missing_rights=tuple(row.missing_rights or ()), settings=dict(row.settings or {}),
        member_count=row.member_count, added_at=row.added_at,
    )


#: Columns ``upsert`` may set (``chat`` and ``platform`` come from the id).
FIELDS = frozenset({"title", "chat_type", "profile", "language", "active", "missing_rights",
                    "settings", "member_count"})


class ChatRepo:
    """The chats the bot serves; the caller owns the transaction."""

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
            if name not in FIELDS:
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

    async def served(self) -> builtins.list[ChatRecord]:
        """Every chat the bot serves: the stored ones still active, and chats it only knows
        from their members' messages (the bot was there before qunguan first ran)."""
        stored = await self.list()
        known = {r.chat for r in stored}
        extra = (await self.session.execute(select(MemberRow.chat).distinct())).scalars()
        seen = [ChatRecord(chat, split_id(chat)[0]) for chat in extra
                if chat not in known and ":" in chat]
        return [r for r in stored if r.active] + seen

    async def knows(self, chat: str) -> bool:
        """Whether ``chat`` is stored or has members on record (see ``served``)."""
        if await self.session.get(ChatRow, chat) is not None:
            return True
        found = await self.session.execute(select(MemberRow.user_id).where(
            MemberRow.chat == chat).limit(1))
        return found.first() is not None

    async def migrate(self, old: str, new: str, at: datetime | None = None) -> int:
        """Move every row of ``old`` to ``new`` (group → supergroup); returns rows moved.

        If ``new`` already has a chat row both rows stay (the caller merges them); rows of
        other tables already stored under ``new`` win over the old id's duplicates, except
        members, whose counters and dates are merged. See ``storage.chat_move``.
        """
        return await move_chat(self.session, old, new, at or datetime.now(UTC))
