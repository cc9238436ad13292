"""The moderation log as a restart reads it: actions without an outcome, messages logged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select

from bot.outbox_resume import LoggedAction
from bot.verdict import Action
from storage.db import Database
from storage.models import LogRow


class SqlLoggedActions:
    """Implements ``bot.outbox_resume.LoggedActions``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def unfinished(self, since: datetime) -> list[LoggedAction]:
        query = select(LogRow).where(
            LogRow.created_at >= since, LogRow.outcome == "pending", LogRow.actor == "auto",
            LogRow.observe.is_(False), LogRow.undone_at.is_(None),
            LogRow.action >= int(Action.DELETE)).order_by(LogRow.id)
        async with self.db.session() as session:
            rows = (await session.execute(query)).scalars().all()
        return [LoggedAction(row.id, row.chat, row.user_id, Action(row.action),
                             row.message_id if row.action >= Action.DELETE else "", row.until)
                for row in rows]

    async def logged(self, messages: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        pairs = list(dict.fromkeys(messages))
        found: set[tuple[str, str]] = set()
        for start in range(0, len(pairs), 200):
            chunk = pairs[start:start + 200]
            query = select(LogRow.chat, LogRow.message_id).where(or_(*(
                and_(LogRow.chat == chat, LogRow.message_id == mid) for chat, mid in chunk)))
            async with self.db.session() as session:
                found |= {(chat, mid) for chat, mid in (await session.execute(query)).all()}
        return found


if TYPE_CHECKING:  # mypy proves the class satisfies the port
    from bot.outbox_resume import LoggedActions

    def _conforms(db: Database) -> LoggedActions:
        return SqlLoggedActions(db)
