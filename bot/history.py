"""Each chat's recent messages for flood and quota policies: a bounded in-memory trace (one
process); ``storage.redis_history`` shares it between workers behind the same methods."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.policy import RecentMessage


class ChatHistory:
    """Keeps the last ``per_chat`` messages younger than ``horizon`` for up to ``chats`` chats."""

    def __init__(self, *, per_chat: int = 400, horizon: timedelta = timedelta(hours=24),
                 chats: int = 5000) -> None:
        self.per_chat = per_chat
        self.horizon = horizon
        self.max_chats = chats
        self._chats: OrderedDict[str, deque[RecentMessage]] = OrderedDict()

    async def enter(self, chat: str, entry: RecentMessage, now: datetime
                    ) -> Sequence[RecentMessage]:
        """The messages before ``entry``, which takes its place after them. Here it is added
        once handled (``settle``); a shared trace places it at once, so two workers handling
        messages of one chat at the same moment each see the other's that came first."""
        return self.recent(chat, now)

    async def settle(self, chat: str, entry: RecentMessage) -> None:
        """``entry`` as handled (its kinds may have grown, e.g. a bot-delivered red packet)."""
        self.add(chat, entry)

    async def read(self, chat: str, now: datetime) -> Sequence[RecentMessage]:
        """The trace, adding nothing (an edited message)."""
        return self.recent(chat, now)

    def recent(self, chat: str, now: datetime) -> Sequence[RecentMessage]:
        trace = self._chats.get(chat)
        if not trace:
            return ()
        cutoff = now - self.horizon
        while trace and trace[0].date < cutoff:
            trace.popleft()
        return tuple(trace)

    def add(self, chat: str, entry: RecentMessage) -> None:
        trace = self._chats.get(chat)
        if trace is None:
            trace = self._chats[chat] = deque(maxlen=self.per_chat)
            if len(self._chats) > self.max_chats:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat)
        trace.append(entry)

    def forget(self, chat: str) -> None:
        self._chats.pop(chat, None)

    def rename(self, old: str, new: str) -> None:
        if old in self._chats:
            self._chats[new] = self._chats.pop(old)
