"""The playground's in-memory chat: members, messages (removed ones kept, struck) and counters."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.events import Role, Sender

CHAT = "local:lobby"
PLATFORM = "local"
BOT = "bot"
BOT_ID = f"{PLATFORM}:bot"  # who removed a member the enforcer kicked
MAX_MESSAGES = 500
MAX_MEMBERS = 500

#: A member's standing in the lobby, as the page shows it.
ACTIVE, PENDING, DECLINED, KICKED, BANNED, LEFT = (
    "active", "pending", "declined", "kicked", "banned", "left")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _boot_counter() -> Iterator[int]:
    """Ids unique across restarts: storage keeps warns and scheduled deletions by id."""
    start = time.time_ns() // 1000
    while True:
        yield start
        start += 1


@dataclass
class Member:
    """One member of the lobby."""

    id: str
    name: str
    role: Role = Role.MEMBER
    status: str = ACTIVE
    muted_until: datetime | None = None
    muted_forever: bool = False
    banned_until: datetime | None = None
    warns: int = 0

    def sender(self) -> Sender:
        return Sender(id=self.id, name=self.name, role=self.role)

    def muted(self, now: datetime) -> bool:
        if self.muted_forever:
            return True
        return self.muted_until is not None and now < self.muted_until

    def to_json(self, now: datetime) -> dict[str, Any]:
        muted = self.muted(now)
        return {
            "id": self.id, "name": self.name, "role": self.role.label, "status": self.status,
            "muted": muted,
            "muted_until": self.muted_until.isoformat() if muted and self.muted_until else None,
            "warns": self.warns,
        }


@dataclass
class Removal:
    """Why a message was removed (filled in once the decision is known)."""

    reason_en: str = ""
    reason_zh: str = ""
    symbols: dict[str, float] = field(default_factory=dict)
    action: str = "delete"

    def to_json(self) -> dict[str, Any]:
        return {"reason_en": self.reason_en, "reason_zh": self.reason_zh,
                "symbols": dict(self.symbols), "action": self.action}


@dataclass
class ChatMessage:
    """One message as the page shows it; a removed message keeps its content."""

    id: str
    sender: str
    sender_name: str
    kind: str
    text: str
    date: datetime
    reply_to: str | None = None
    image_url: str = ""
    channel: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    removed: Removal | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "sender": self.sender, "sender_name": self.sender_name,
            "kind": self.kind, "text": self.text, "date": self.date.isoformat(),
            "reply_to": self.reply_to, "image_url": self.image_url, "channel": self.channel,
            "buttons": list(self.buttons),
            "removed": self.removed.to_json() if self.removed else None,
        }


class PlaygroundState:
    """The lobby: who is in it and what was said, bounded to the last messages."""

    def __init__(self, title: str, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.title = title
        self.clock = clock
        self.members: dict[str, Member] = {}
        self.messages: OrderedDict[str, ChatMessage] = OrderedDict()
        self._member_ids = _boot_counter()
        self._message_ids = _boot_counter()

    @property
    def full(self) -> bool:
        return len(self.members) >= MAX_MEMBERS

    def add_member(self, name: str, role: Role = Role.MEMBER, status: str = ACTIVE) -> Member:
        member = Member(id=f"{PLATFORM}:{next(self._member_ids)}", name=name.strip(),
                        role=role, status=status)
        self.members[member.id] = member
        return member

    def member(self, member_id: str) -> Member | None:
        return self.members.get(member_id)

    def next_message_id(self) -> str:
        return str(next(self._message_ids))

    def add_message(self, message: ChatMessage) -> ChatMessage:
        self.messages[message.id] = message
        while len(self.messages) > MAX_MESSAGES:
            self.messages.popitem(last=False)
        return message

    def message(self, message_id: str) -> ChatMessage | None:
        return self.messages.get(message_id)

    def remove(self, message_id: str) -> ChatMessage | None:
        """Mark a message removed (kept, struck); None if it is unknown."""
        message = self.messages.get(message_id)
        if message is not None and message.removed is None:
            message.removed = Removal()
        return message

    def snapshot(self) -> dict[str, Any]:
        now = self.clock()
        return {
            "type": "state", "title": self.title, "chat": CHAT,
            "members": [m.to_json(now) for m in self.members.values()],
            "messages": [m.to_json() for m in self.messages.values()],
        }
