"""Learned per-chat knowledge in storage: long texts' sketches and domains' trust, bounded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.knowledge import DomainState, TextPost
from storage.db import Database
from storage.models import LearnedDomainRow as D
from storage.models import TextPostRow as P


class KnowledgeRepo:
    """Queries on one session; the caller owns the transaction."""

    def __init__(self, session: AsyncSession | AsyncConnection) -> None:
        self.session = session

    async def posts(self, chats: Sequence[str], since: datetime, limit: int) -> list[TextPost]:
        """The newest ``limit`` posts of ``chats`` since ``since``, oldest first."""
        rows = (await self.session.execute(
            select(P.chat, P.user_id, P.message_id, P.posted_at, P.sketch)
            .where(P.chat.in_(list(chats)), P.posted_at >= since)
            .order_by(P.posted_at.desc(), P.id.desc()).limit(limit))).all()
        return [TextPost(r.chat, r.user_id, r.message_id, r.posted_at, bytes(r.sketch))
                for r in reversed(rows)]

    async def add_posts(self, posts: Sequence[TextPost]) -> None:
        if posts:
            await self.session.execute(insert(P), [
                {"chat": p.chat, "user_id": p.sender, "message_id": p.message_id,
                 "posted_at": p.at, "sketch": p.sketch} for p in posts])

    async def prune_posts(self, before: datetime, chats: Sequence[str] = (),
                          keep: int = 0) -> int:
        """Drop posts older than ``before``, and those of ``chats`` past their newest
        ``keep``; returns how many."""
        result = await self.session.execute(delete(P).where(P.posted_at < before))
        dropped = int(getattr(result, "rowcount", 0) or 0)
        for chat in chats:
            newest = (select(P.id).where(P.chat == chat)
                      .order_by(P.posted_at.desc(), P.id.desc()).limit(keep))
            result = await self.session.execute(
                delete(P).where(P.chat == chat, P.id.not_in(newest.scalar_subquery())))
            dropped += int(getattr(result, "rowcount", 0) or 0)
        return dropped

    async def domains(self, chat: str, limit: int) -> list[DomainState]:
        """The chat's ``limit`` most recently used domains."""
        rows = (await self.session.execute(
            select(D.domain, D.last_used, D.voters, D.trusted_at, D.blocked_until)
            .where(D.chat == chat).order_by(D.last_used.desc()).limit(limit))).all()
        return [DomainState(r.domain, r.last_used, tuple(r.voters or ()), r.trusted_at,
                            r.blocked_until) for r in rows]

    async def put_domains(self, changed: Sequence[tuple[str, DomainState]]) -> None:
        if not changed:
            return
        dialect = self.session.get_bind().dialect.name if isinstance(
            self.session, AsyncSession) else self.session.dialect.name
        upsert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = upsert(D)
        statement = statement.on_conflict_do_update(
            index_elements=[D.chat, D.domain],
            set_={"voters": statement.excluded.voters,
                  "trusted_at": statement.excluded.trusted_at,
                  "blocked_until": statement.excluded.blocked_until,
                  "last_used": statement.excluded.last_used})
        await self.session.execute(statement, [
            {"chat": chat, "domain": s.domain, "voters": list(s.voters),
             "trusted_at": s.trusted_at, "blocked_until": s.blocked_until,
             "last_used": s.last_used} for chat, s in changed])

    async def drop_domains(self, keys: Sequence[tuple[str, str]]) -> None:
        if keys:
            await self.session.execute(delete(D).where(
                tuple_(D.chat, D.domain).in_([tuple(k) for k in keys])))


class SqlKnowledgeStore:
    """``bot.knowledge.KnowledgeStore`` on the database: reads outside write transactions,
    one short transaction per batch."""

    def __init__(self, db: Database) -> None:
        self.db = db
        #: posts written per chat since this process last bounded it by count
        self._written: dict[str, int] = {}

    async def posts(self, chats: Sequence[str], since: datetime, limit: int) -> list[TextPost]:
        async with self.db.reading() as connection:
            return await KnowledgeRepo(connection).posts(chats, since, limit)

    async def add_posts(self, posts: Sequence[TextPost], *, before: datetime,
                        keep: int) -> None:
        counts: dict[str, int] = {}
        for post in posts:
            counts[post.chat] = counts.get(post.chat, 0) + 1
        async with self.db.session() as session:
            repo = KnowledgeRepo(session)
            await repo.add_posts(posts)
            # Bounding by count costs a query per chat: only for chats that wrote enough
            # since this process last pruned them to maybe pass the bound.
            for chat, n in counts.items():
                self._written[chat] = self._written.get(chat, 0) + n
            crowded = [c for c in counts if self._written[c] >= max(keep // 4, 1)]
            await repo.prune_posts(before, crowded, keep)
        for chat in crowded:
            self._written[chat] = 0

    async def domains(self, chat: str, limit: int) -> list[DomainState]:
        async with self.db.reading() as connection:
            return await KnowledgeRepo(connection).domains(chat, limit)

    async def put_domains(self, changed: Sequence[tuple[str, DomainState]],
                          dropped: Sequence[tuple[str, str]]) -> None:
        async with self.db.session() as session:
            repo = KnowledgeRepo(session)
            await repo.put_domains(changed)
            await repo.drop_domains(dropped)
