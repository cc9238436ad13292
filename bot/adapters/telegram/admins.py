"""Per-chat administrator cache (getChatAdministrators with a TTL), the source of sender roles."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import ChatMember, ChatMemberAdministrator, ChatMemberOwner

from bot.events import Role

log = logging.getLogger(__name__)

Fetch = Callable[[int], Awaitable[Sequence[ChatMember]]]


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    members: dict[int, ChatMember]
    anonymous: tuple[ChatMember, ...]


class AdminCache:
    """Admins per chat, fetched at most once per ``ttl`` seconds unless invalidated.

    ``ensure`` is awaited before mapping an update so that ``role`` (synchronous, used by the
    mapper) answers from memory on the hot path.
    """

    def __init__(
        self,
        fetch: Fetch,
        *,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[int, _Entry] = {}
        self.fetches = 0

    def fresh(self, chat_id: int) -> bool:
        entry = self._entries.get(chat_id)
        return entry is not None and entry.expires > self._clock()

    async def ensure(self, chat_id: int) -> None:
        """Load the chat's admins if missing or stale; on failure keep the old list (logged)."""
        if self.fresh(chat_id):
            return
        self.fetches += 1
        try:
            members = await self._fetch(chat_id)
        except Exception as exc:  # network, rights, chat gone: roles fall back to the old list
            log.warning("getChatAdministrators(%s) failed: %s", chat_id, exc)
            old = self._entries.get(chat_id)
            if old is not None:  # retry after a short pause rather than on every update
                self._entries[chat_id] = _Entry(
                    self._clock() + min(self._ttl, 30.0), old.members, old.anonymous
                )
            return
        self.put(chat_id, members)

    def put(self, chat_id: int, members: Sequence[ChatMember]) -> None:
        by_id = {m.user.id: m for m in members}
        anonymous = tuple(
            m for m in members if isinstance(m, ChatMemberAdministrator | ChatMemberOwner)
            and m.is_anonymous
        )
        self._entries[chat_id] = _Entry(self._clock() + self._ttl, by_id, anonymous)

    def invalidate(self, chat_id: int) -> None:
        self._entries.pop(chat_id, None)

    def member(self, chat_id: int, user_id: int) -> ChatMember | None:
        entry = self._entries.get(chat_id)
        return None if entry is None else entry.members.get(user_id)

    def role(self, chat_id: int, user_id: int) -> Role:
        member = self.member(chat_id, user_id)
        if isinstance(member, ChatMemberOwner):
            return Role.OWNER
        if isinstance(member, ChatMemberAdministrator):
            return Role.ADMIN
        return Role.MEMBER

    def has_right(self, chat_id: int, user_id: int, right: str | None) -> bool:
        """An owner has every right; an administrator those flagged ``can_*`` = True."""
        member = self.member(chat_id, user_id)
        if isinstance(member, ChatMemberOwner):
            return True
        if not isinstance(member, ChatMemberAdministrator):
            return False
        return right is None or bool(getattr(member, right, False))

    def anonymous_has_right(self, chat_id: int, right: str | None) -> bool:
        """Whether some anonymous admin holds ``right`` (we cannot tell which one posted)."""
        entry = self._entries.get(chat_id)
        if entry is None or not entry.anonymous:
            return right is None
        return any(
            isinstance(m, ChatMemberOwner) or right is None or bool(getattr(m, right, False))
            for m in entry.anonymous
        )
