"""MemberRepo: who is in a chat, their role, activity and exemptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Role, Sender
from storage.models import MemberRow
from storage.records import MemberRecord


def _record(row: MemberRow) -> MemberRecord:
    return MemberRecord(
        chat=row.chat, user_id=row.user_id, name=row.name, username=row.username,
        role=Role(row.role), joined_at=row.joined_at, left_at=row.left_at,
        first_seen=row.first_seen, last_seen=row.last_seen, message_count=row.message_count,
        approved=row.approved, voice_allowed=row.voice_allowed,
    )


#: Columns ``upsert`` may set.
FIELDS = frozenset({"name", "username", "role", "joined_at", "left_at", "first_seen",
                    "last_seen", "message_count", "approved", "voice_allowed"})


class MemberRepo:
    """Members per chat; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _row(self, chat: str, user_id: str) -> MemberRow | None:
        return await self.session.get(MemberRow, (chat, user_id))

    async def _ensure(self, chat: str, user_id: str, when: datetime | None = None) -> MemberRow:
        row = await self._row(chat, user_id)
        if row is None:
            row = MemberRow(chat=chat, user_id=user_id, first_seen=when, message_count=0,
                            role=0, approved=False, voice_allowed=False, name="", username="")
            self.session.add(row)
        return row

    async def upsert(self, chat: str, user_id: str, **fields: Any) -> MemberRecord:
        """Create or update a member; ``role`` takes a ``Role``; unknown names raise TypeError."""
        unknown = set(fields) - FIELDS
        if unknown:
            raise TypeError(f"unknown member fields {sorted(unknown)}")
        row = await self._ensure(chat, user_id, fields.get("first_seen"))
        for name, value in fields.items():
            setattr(row, name, int(value) if name == "role" else value)
        await self.session.flush()
        return _record(row)

    async def get(self, chat: str, user_id: str) -> MemberRecord | None:
        row = await self._row(chat, user_id)
        return _record(row) if row else None

    async def by_username(self, chat: str, username: str) -> MemberRecord | None:
        name = username.lstrip("@").lower()
        rows = (await self.session.execute(select(MemberRow).where(
            MemberRow.chat == chat, MemberRow.username == name))).scalars().first()
        return _record(rows) if rows else None

    async def touch(self, chat: str, sender: Sender, when: datetime, messages: int = 1) -> None:
        row = await self._ensure(chat, sender.id, when)
        row.name = sender.name or row.name
        row.username = (sender.username or row.username).lower()
        row.role = int(sender.role) if sender.role != Role.MEMBER or row.role <= 1 else row.role
        row.last_seen = max(filter(None, (row.last_seen, when)))
        row.message_count += messages

    async def joined(self, chat: str, sender: Sender, when: datetime) -> None:
        row = await self._ensure(chat, sender.id, when)
        row.name = sender.name or row.name
        row.username = (sender.username or row.username).lower()
        row.joined_at = when
        row.left_at = None

    async def left(self, chat: str, user_id: str, when: datetime) -> None:
        row = await self._ensure(chat, user_id, when)
        row.left_at = when

    async def set_role(self, chat: str, user_id: str, role: Role) -> None:
        (await self._ensure(chat, user_id)).role = int(role)

    async def set_flags(self, chat: str, user_id: str, *, approved: bool | None = None,
                        voice_allowed: bool | None = None) -> None:
        row = await self._ensure(chat, user_id)
        if approved is not None:
            row.approved = approved
        if voice_allowed is not None:
            row.voice_allowed = voice_allowed

    async def inactive_since(self, chat: str, cutoff: datetime) -> list[MemberRecord]:
        """Present members whose last message (or join) is older than ``cutoff``."""
        rows = (await self.session.execute(select(MemberRow).where(
            MemberRow.chat == chat, MemberRow.left_at.is_(None),
            or_(MemberRow.last_seen.is_(None), MemberRow.last_seen < cutoff),
        ).order_by(MemberRow.last_seen))).scalars().all()
        return [_record(r) for r in rows
                if (r.last_seen or r.joined_at or r.first_seen or cutoff) <= cutoff]

    async def staff(self, user_id: str) -> list[MemberRecord]:
        """The chats where ``user_id`` is a moderator or above (for /start in private)."""
        rows = (await self.session.execute(select(MemberRow).where(
            MemberRow.user_id == user_id, MemberRow.role >= int(Role.MODERATOR)))).scalars()
        return [_record(r) for r in rows]

    async def present(self, chat: str) -> list[MemberRecord]:
        rows = (await self.session.execute(select(MemberRow).where(
            MemberRow.chat == chat, MemberRow.left_at.is_(None)))).scalars()
        return [_record(r) for r in rows]
