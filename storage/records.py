"""Neutral records the repositories return: plain frozen dataclasses, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.events import Role


@dataclass(frozen=True, slots=True)
class ChatRecord:
    chat: str
    platform: str
    title: str = ""
    chat_type: str = "group"
    profile: str = "default"
    language: str = ""
    active: bool = True
    missing_rights: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    member_count: int | None = None
    added_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MemberRecord:
    chat: str
    user_id: str
    name: str = ""
    username: str = ""
    role: Role = Role.MEMBER
    joined_at: datetime | None = None
    left_at: datetime | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    message_count: int = 0
    approved: bool = False
    voice_allowed: bool = False

    @property
    def present(self) -> bool:
        return self.left_at is None or (self.joined_at is not None
                                        and self.joined_at > self.left_at)


@dataclass(frozen=True, slots=True)
class WarnRecord:
    id: int
    chat: str
    user_id: str
    reason: str
    actor: str
    created_at: datetime
    expires_at: datetime
    revoked: bool


@dataclass(frozen=True, slots=True)
class QueueEntry:
    id: int
    chat: str
    user_id: str
    name: str
    ref: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    best: int
    total: int
    last_day: date | None = None


@dataclass(frozen=True, slots=True)
class GateRecord:
    chat: str
    user_id: str
    answer: str
    ref: str
    message_id: str
    deadline: datetime
    created_at: datetime
