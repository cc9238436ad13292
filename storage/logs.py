"""LogRepo: the moderation log — every decision at flag or above, with the full original content."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypedDict

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import LogEntry
from bot.verdict import Action
from storage.db import inserted_id
from storage.models import LogRow

_TABLE: Table = LogRow.metadata.tables[LogRow.__tablename__]
_INSERT = insert(_TABLE)
_SET_OUTCOME = update(_TABLE).where(_TABLE.c.id == bindparam("b_id")).values(
    outcome=bindparam("v_outcome"))


def entry_of(row: LogRow) -> LogEntry:
    """A stored row as the neutral ``LogEntry``."""
    return LogEntry(
        id=row.id, chat=row.chat, user_id=row.user_id, action=Action(row.action),
        created_at=row.created_at, actor=row.actor, message_id=row.message_id, score=row.score,
        symbols=dict(row.symbols or {}), reason=row.reason, content=dict(row.content or {}),
        observe=row.observe,
        shadow_action=Action(row.shadow_action) if row.shadow_action is not None else None,
        degraded_from=Action(row.degraded_from) if row.degraded_from is not None else None,
        warn_id=row.warn_id, outcome=row.outcome, until=row.until,
    )


class ShadowSummary(TypedDict):
    """``LogRepo.shadow_summary``: observed decisions by would-be action, symbol and member."""

    decisions: int
    actions: dict[str, int]
    symbols: dict[str, int]
    members: dict[str, str]


class LogRepo:
    """The moderation log; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: LogEntry) -> int:
        result = await self.session.execute(_INSERT, {
            "chat": entry.chat, "user_id": entry.user_id, "message_id": entry.message_id,
            "action": int(entry.action),
            "shadow_action": None if entry.shadow_action is None else int(entry.shadow_action),
            "degraded_from": None if entry.degraded_from is None else int(entry.degraded_from),
            "actor": entry.actor, "score": entry.score, "symbols": dict(entry.symbols),
            "reason": entry.reason, "content": dict(entry.content), "observe": entry.observe,
            "warn_id": entry.warn_id, "outcome": entry.outcome, "until": entry.until,
            "created_at": entry.created_at, "undone_at": None, "undone_by": ""})
        return inserted_id(result)

    async def get(self, log_id: int) -> LogEntry | None:
        row = await self.session.get(LogRow, log_id)
        return entry_of(row) if row else None

    async def undone(self, log_id: int) -> tuple[datetime | None, str]:
        row = await self.session.get(LogRow, log_id)
        return (row.undone_at, row.undone_by) if row else (None, "")

    async def recent(self, chat: str, n: int = 10, *, user_id: str | None = None
                     ) -> list[LogEntry]:
        query = select(LogRow).where(LogRow.chat == chat)
        if user_id is not None:
            query = query.where(LogRow.user_id == user_id)
        rows = await self.session.execute(query.order_by(LogRow.id.desc()).limit(n))
        return [entry_of(r) for r in rows.scalars()]

    async def set_outcome(self, log_id: int, outcome: str) -> None:
        await self.set_outcomes([(log_id, outcome)])

    async def set_outcomes(self, outcomes: Sequence[tuple[int, str]]) -> None:
        """Record platform-call outcomes: one executemany of a prepared UPDATE."""
        if outcomes:
            await self.session.execute(_SET_OUTCOME, [
                {"b_id": log_id, "v_outcome": outcome} for log_id, outcome in outcomes])

    async def mark_undone(self, log_id: int, by: str, at: datetime | None = None) -> bool:
        """Mark an entry undone by ``by``; False if unknown or already undone."""
        at = at or datetime.now(UTC)
        result = await self.session.execute(update(LogRow).where(
            LogRow.id == log_id, LogRow.undone_at.is_(None)).values(undone_at=at, undone_by=by))
        return bool(getattr(result, "rowcount", 0))

    async def purge_older_than(self, cutoff: datetime) -> int:
        result = await self.session.execute(delete(LogRow).where(LogRow.created_at < cutoff))
        return int(getattr(result, "rowcount", 0))

    async def shadow_summary(self, chat: str, since: datetime) -> ShadowSummary:
        """What observe mode would have done since ``since``.

        Counts observed decisions by the action they would have taken and by symbol (most
        frequent first), and the strongest would-be sanction per member (warn or above).
        """
        rows = (await self.session.execute(select(
            LogRow.user_id, LogRow.action, LogRow.shadow_action, LogRow.symbols).where(
            LogRow.chat == chat, LogRow.observe.is_(True), LogRow.created_at >= since,
        ).order_by(LogRow.id))).all()
        actions: Counter[str] = Counter()
        symbols: Counter[str] = Counter()
        strongest: dict[str, Action] = {}
        for user_id, action, shadow_action, row_symbols in rows:
            would = Action(shadow_action if shadow_action is not None else action)
            actions[would.label] += 1
            symbols.update(list(row_symbols or {}))
            if would >= Action.WARN and would > strongest.get(user_id, Action.ALLOW):
                strongest[user_id] = would
        return {"decisions": len(rows), "actions": dict(actions),
                "symbols": dict(symbols.most_common()),
                "members": {user: action.label for user, action in strongest.items()}}
