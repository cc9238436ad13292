"""Member and group facts read from an implementation (roster review, capacity)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.events import Role, qualify

from .mapped import ROLES
from .segments import text_of


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """One member as the platform reports them; times are aware UTC or None if unknown."""

    chat: str
    user: str
    name: str = ""
    role: Role = Role.MEMBER
    joined_at: datetime | None = None
    last_sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A group's size as the platform reports it (``max_member_count`` None if unknown)."""

    chat: str
    name: str = ""
    member_count: int | None = None
    max_member_count: int | None = None


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(float(value), UTC)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def member_from(data: Any, chat: str, platform: str) -> MemberInfo | None:
    """Parse v11 ``get_group_member_info`` or v12 ``get_group_member_info`` data."""
    if not isinstance(data, Mapping) or data.get("user_id") in (None, ""):
        return None
    name = (data.get("card") or data.get("user_displayname") or data.get("nickname")
            or data.get("user_name"))
    return MemberInfo(
        chat=chat,
        user=qualify(platform, text_of(data["user_id"])),
        name=text_of(name),
        role=ROLES.get(text_of(data.get("role")), Role.MEMBER),
        joined_at=_time(data.get("join_time")),
        last_sent_at=_time(data.get("last_sent_time")),
    )


def members_from(data: Any, chat: str, platform: str) -> list[MemberInfo]:
    if not isinstance(data, list):
        return []
    parsed = (member_from(item, chat, platform) for item in data)
    return [m for m in parsed if m is not None]


def group_from(data: Any, chat: str) -> GroupInfo | None:
    if not isinstance(data, Mapping):
        return None
    return GroupInfo(
        chat=chat,
        name=text_of(data.get("group_name")),
        member_count=_int(data.get("member_count")),
        max_member_count=_int(data.get("max_member_count")),
    )
