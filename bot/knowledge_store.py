"""Learned knowledge's storage seam: the neutral records, the store protocol, batched writes.

``KnowledgeStore`` is implemented by ``storage.knowledge.SqlKnowledgeStore``; ``KnowledgeWrites``
keeps what was learned in memory until a batch is full or the bot flushes, and keeps a failed
write for the next flush.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

log = logging.getLogger("bot.knowledge")  # the façade's name, as before the split


@dataclass(frozen=True, slots=True, eq=False)
class TextPost:
    """One recorded long text: who posted it where and when, and its 16-bin sketch."""

    chat: str
    sender: str
    message_id: str
    at: datetime
    sketch: bytes


@dataclass(frozen=True, slots=True)
class DomainState:
    """What a chat knows of one domain."""

    domain: str
    last_used: datetime
    voters: tuple[str, ...] = ()
    trusted_at: datetime | None = None
    blocked_until: datetime | None = None


class KnowledgeStore(Protocol):
    """Where learned knowledge lives (``storage.knowledge.SqlKnowledgeStore``)."""

    async def posts(self, chats: Sequence[str], since: datetime, limit: int
                    ) -> list[TextPost]: ...

    async def add_posts(self, posts: Sequence[TextPost], *, before: datetime,
                        keep: int) -> None: ...

    async def domains(self, chat: str, limit: int) -> list[DomainState]: ...

    async def put_domains(self, changed: Sequence[tuple[str, DomainState]],
                          dropped: Sequence[tuple[str, str]]) -> None: ...


class KnowledgeWrites:
    """Recorded posts and changed domains (``None``: dropped) waiting to be written together;
    posts older than ``window`` before the newest are pruned and ``keep`` kept per chat."""

    def __init__(self, store: KnowledgeStore, *, window: timedelta, keep: int) -> None:
        self.store = store
        self.window = window
        self.keep = keep
        self._posts: list[TextPost] = []
        self._changed: dict[tuple[str, str], DomainState | None] = {}
        self._write = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._posts) + len(self._changed)

    def add_post(self, post: TextPost) -> None:
        self._posts.append(post)

    def set_domain(self, chat: str, domain: str, state: DomainState | None) -> None:
        self._changed[(chat, domain)] = state

    def holds_posts_of(self, chats: Collection[str]) -> bool:
        return any(p.chat in chats for p in self._posts)

    def holds_domains_of(self, chat: str) -> bool:
        return any(c == chat for c, _ in self._changed)

    async def flush(self) -> None:
        """Write the recorded posts and changed domains (after any write in flight)."""
        async with self._write:
            posts, self._posts = self._posts, []
            changed, self._changed = self._changed, {}
            if posts:
                try:
                    latest = max(p.at for p in posts)
                    await self.store.add_posts(posts, before=latest - self.window,
                                               keep=self.keep)
                except Exception:
                    log.exception("could not write %d long texts; will retry", len(posts))
                    self._posts[:0] = posts
            if changed:
                try:
                    await self.store.put_domains(
                        [(c, st) for (c, _), st in changed.items() if st is not None],
                        [key for key, st in changed.items() if st is None])
                except Exception:
                    log.exception("could not write %d learned domains; will retry",
                                  len(changed))
                    for key, st in changed.items():
                        self._changed.setdefault(key, st)
