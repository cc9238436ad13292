"""The last few thousand messages per process, so replies to them log the full original."""

from __future__ import annotations

from collections import OrderedDict

from bot.enforcer import Enforcement
from bot.events import Message
from bot.runtime import ChatRuntime
from bot.verdict import Decision


class RecentMessages:
    """A bounded LRU of full messages by (chat, message id), filled by a message after-hook.

    A command's ``ReplyRef`` carries only text; with this, /warn or /spam by reply stores the
    entities, media file ids, caption and forward origin of the message it points at.
    """

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], Message] = OrderedDict()

    async def __call__(self, message: Message, decision: Decision,
                       done: Enforcement | None, runtime: ChatRuntime) -> None:
        self.add(message)

    def add(self, message: Message) -> None:
        key = (message.chat, message.message_id)
        self._items[key] = message
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, chat: str, message_id: str) -> Message | None:
        return self._items.get((chat, message_id))
