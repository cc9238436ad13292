"""MemberRepo: who is in a chat, their role, activity and exemptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, or_, select, tuple_, update
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


_TABLE: Table = MemberRow.metadata.tables[MemberRow.__tablename__]
_ACTIVITY = ("name", "username", "role", "last_seen", "message_count")
_READ_ACTIVITY = select(_TABLE.c.chat, _TABLE.c.user_id,
                        *(_TABLE.c[name] for name in _ACTIVITY))
_WRITE_ACTIVITY = update(_TABLE).where(
    _TABLE.c.chat == bindparam("b_chat"), _TABLE.c.user_id == bindparam("b_user")
).values({name: bindparam(f"v_{name}") for name in _ACTIVITY})
_INSERT = insert(_TABLE)
_CHUNK = 400  # member keys per read (two bound values each, far below any driver's limit)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _touched(state: dict[str, Any], sender: Sender, when: datetime, messages: int) -> None:
    """``MemberRepo.touch`` on a row's values (the one rule for single and batched touches);
    a name or username that is not text (a forged update) keeps the stored one."""
    state["name"] = _text(sender.name) or state["name"]
    state["username"] = (_text(sender.username) or state["username"]).lower()
    if sender.role != Role.MEMBER or state["role"] <= 1:
        state["role"] = int(sender.role)
    state["last_seen"] = max(filter(None, (state["last_seen"], when)))
    state["message_count"] += messages


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
        state = {name: getattr(row, name) for name in _ACTIVITY}
        _touched(state, sender, when, messages)
        for name, value in state.items():
            setattr(row, name, value)

    async def touch_many(self, activity: Sequence[tuple[str, Sender, datetime, int]]) -> None:
        """``touch`` for a batch: one read of the known members, one batched update and one
        batched insert (Core statements: rows this session already loaded are not refreshed)."""
        keys = list(dict.fromkeys((chat, sender.id) for chat, sender, _, _ in activity))
        known: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            rows = await self.session.execute(
                _READ_ACTIVITY.where(tuple_(_TABLE.c.chat, _TABLE.c.user_id).in_(chunk)))
            for chat, user, *values in rows:
                known[(chat, user)] = dict(zip(_ACTIVITY, values, strict=True))
        new: dict[tuple[str, str], dict[str, Any]] = {}
        for chat, sender, when, messages in activity:
            key = (chat, sender.id)
            state = known.get(key) or new.get(key)
            if state is None:
                state = new[key] = {"name": "", "username": "", "role": 0, "last_seen": None,
                                    "message_count": 0, "first_seen": when}
            _touched(state, sender, when, messages)
        if known:
            await self.session.execute(_WRITE_ACTIVITY, [
                {"b_chat": chat, "b_user": user, **{f"v_{k}": v for k, v in state.items()}}
                for (chat, user), state in known.items()])
        if new:
            await self.session.execute(_INSERT, [
                {"chat": chat, "user_id": user, "approved": False, "voice_allowed": False,
                 **state} for (chat, user), state in new.items()])

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
