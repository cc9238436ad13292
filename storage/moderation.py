"""SqlModerationStore: the core's ModerationStore port on SQLAlchemy (log, warns, snapshots)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Role, Sender
from bot.policy import MemberSnapshot
from bot.ports import LogEntry
from storage.db import Database
from storage.insights_activity import record_activity
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.models import ContributionRow, MemberRow, WarnRow
from storage.warns import ACTIVE_COUNT, WarnRepo


def _aware(value: datetime | str | None) -> datetime | None:
    """Scalar subqueries can come back naive (SQLite) or as text; make them aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _snapshot_query() -> Any:
    """The member snapshot as one SELECT of scalar subqueries, bound per call (built once)."""
    chat: Any = bindparam("b_chat")
    user: Any = bindparam("b_user")
    member = (MemberRow.chat == chat, MemberRow.user_id == user)

    def field(column: Any) -> Any:
        return select(column).where(*member).scalar_subquery()

    warns = ACTIVE_COUNT.scalar_subquery()  # binds b_chat, b_user and b_now too
    points = select(func.coalesce(func.sum(ContributionRow.points), 0.0)).where(
        ContributionRow.chat == chat, ContributionRow.user_id == user).scalar_subquery()
    return select(warns, points, field(MemberRow.role), field(MemberRow.joined_at),
                  field(MemberRow.first_seen), field(MemberRow.message_count),
                  field(MemberRow.approved), field(MemberRow.voice_allowed))


_SNAPSHOT = _snapshot_query()


def _known_query() -> Any:
    """Every user id a snapshot could find anything for in a chat (bound per call)."""
    chat: Any = bindparam("b_chat")
    return union(select(MemberRow.user_id).where(MemberRow.chat == chat),
                 select(WarnRow.user_id).where(WarnRow.chat == chat),
                 select(ContributionRow.user_id).where(ContributionRow.chat == chat)
                 ).limit(bindparam("b_limit"))


_KNOWN = _known_query()


class SqlModerationTx:
    """The ModerationTx port inside one session/transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_warn(self, chat: str, user_id: str, *, reason: str, at: datetime,
                       expires_at: datetime) -> tuple[int, int]:
        return await WarnRepo(self.session).add_counted(chat, user_id, reason=reason, at=at,
                                                        expires_at=expires_at)

    async def log(self, entry: LogEntry) -> int:
        return await LogRepo(self.session).add(entry)


class SqlModerationStore:
    """Implements ``bot.ports.ModerationStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlModerationTx]:
        async with self.db.session() as session:
            yield SqlModerationTx(session)

    async def snapshot(self, chat: str, user_id: str, now: datetime) -> MemberSnapshot:
        """One round trip: the member's row fields, active warns and points as subqueries.

        A single SELECT is consistent on its own: it runs on a pooled connection without a
        session or an explicit transaction (no commit round trip on the hot path)."""
        async with self.db.reading() as connection:
            row = (await connection.execute(
                _SNAPSHOT, {"b_chat": chat, "b_user": user_id, "b_now": now})).one()
        active, total, role, joined, first, count, approved, voice = row
        return MemberSnapshot(
            user_id=user_id, role=Role(role or 0), joined_at=_aware(joined),
            first_seen=_aware(first), message_count=count or 0, warns_active=int(active),
            points=float(total), approved=bool(approved), voice_allowed=bool(voice),
        )

    async def known_members(self, chat: str, limit: int) -> set[str] | None:
        """The users of ``chat`` storage has a member row, a warn or points for, in one read;
        None when there are more than ``limit`` (``bot.snapshots.KnownMembers``)."""
        async with self.db.reading() as connection:
            rows = await connection.execute(_KNOWN, {"b_chat": chat, "b_limit": limit + 1})
            found = {user for (user,) in rows}
        return found if len(found) <= limit else None

    async def set_outcome(self, log_id: int, outcome: str) -> None:
        async with self.db.session() as session:
            await LogRepo(session).set_outcome(log_id, outcome)

    async def set_outcomes(self, outcomes: Sequence[tuple[int, str]]) -> None:
        """Record several platform-call outcomes in one transaction (one executemany)."""
        async with self.db.session() as session:
            await LogRepo(session).set_outcomes(outcomes)

    async def touch(self, chat: str, sender: Sender, when: datetime, messages: int) -> None:
        async with self.db.session() as session:
            await MemberRepo(session).touch(chat, sender, when, messages)
            await record_activity(session, [(chat, sender, when, messages)])

    async def touch_many(self, activity: Sequence[tuple[str, Sender, datetime, int]]) -> None:
        """Record a batch of members' activity in one transaction (batched statements): the
        members' counters, and the dashboard's messages per member and day and per hour."""
        async with self.db.session() as session:
            await MemberRepo(session).touch_many(activity)
            await record_activity(session, activity)


if TYPE_CHECKING:  # mypy proves the classes satisfy the core's ports
    from bot.ports import ModerationStore, ModerationTx

    def _conforms(db: Database, session: AsyncSession) -> tuple[ModerationStore, ModerationTx]:
        return SqlModerationStore(db), SqlModerationTx(session)


__all__ = ["SqlModerationStore", "SqlModerationTx"]
