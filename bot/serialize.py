"""Events to and from plain JSON-able dicts: the moderation log, replay files, the playground."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from bot.events import (
    ButtonPress,
    Command,
    Event,
    JoinRequest,
    Kind,
    MemberJoined,
    MemberLeft,
    Message,
    Reaction,
    ReplyRef,
    Role,
    Segment,
    Sender,
)

_TYPES: dict[str, type[Any]] = {
    "message": Message,
    "member_joined": MemberJoined,
    "member_left": MemberLeft,
    "join_request": JoinRequest,
    "command": Command,
    "reaction": Reaction,
    "button_press": ButtonPress,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Role):
        return value.label
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.init}
    if isinstance(value, tuple | list | frozenset):
        return [_plain(v) for v in value]
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def message_to_dict(message: Message) -> dict[str, Any]:
    """The full message as JSON-able data (kept in the moderation log)."""
    data: dict[str, Any] = _plain(message)
    return data


def event_to_dict(event: Event) -> dict[str, Any]:
    """Any supported event, tagged with ``type``."""
    data: dict[str, Any] = _plain(event)
    data["type"] = _NAMES[type(event)]
    return data


def _sender(raw: dict[str, Any]) -> Sender:
    role = raw.get("role", "member")
    return Sender(
        id=str(raw["id"]),
        name=str(raw.get("name", "")),
        username=str(raw.get("username", "")),
        role=Role[str(role).upper()] if isinstance(role, str) else Role(int(role)),
        is_bot=bool(raw.get("is_bot", False)),
        is_channel=bool(raw.get("is_channel", False)),
        is_anonymous_admin=bool(raw.get("is_anonymous_admin", False)),
    )


def _date(raw: Any) -> datetime:
    value = datetime.fromisoformat(str(raw))
    if value.tzinfo is None:
        raise ValueError(f"date without timezone: {raw!r}")
    return value


def _reply(raw: Any) -> ReplyRef | None:
    if not raw:
        return None
    return ReplyRef(str(raw["message_id"]), str(raw.get("sender_id", "")), raw.get("text", ""))


def message_from_dict(raw: dict[str, Any]) -> Message:
    segments = tuple(
        Segment(Kind(s["kind"]), str(s.get("text", "")), {k: str(v) for k, v in
                                                          (s.get("data") or {}).items()})
        for s in raw.get("segments", ())
    )
    return Message(
        chat=str(raw["chat"]),
        message_id=str(raw["message_id"]),
        sender=_sender(raw["sender"]),
        date=_date(raw["date"]),
        segments=segments,
        reply_to=_reply(raw.get("reply_to")),
        thread_id=raw.get("thread_id"),
        album_id=raw.get("album_id"),
        edited=bool(raw.get("edited", False)),
        via_bot=str(raw.get("via_bot", "")),
        is_private=bool(raw.get("is_private", False)),
        update_id=str(raw.get("update_id", "")),
    )


def event_from_dict(raw: dict[str, Any]) -> Event:
    """Parse a tagged event; raises KeyError/ValueError with a clear message on bad input."""
    kind = raw.get("type", "message")
    if kind == "message":
        return message_from_dict(raw)
    date = _date(raw["date"])
    chat = str(raw["chat"])
    if kind == "member_joined":
        return MemberJoined(chat, _sender(raw["user"]), date, str(raw.get("invited_by", "")))
    if kind == "member_left":
        return MemberLeft(chat, _sender(raw["user"]), date, str(raw.get("removed_by", "")))
    if kind == "join_request":
        return JoinRequest(chat, _sender(raw["user"]), date, str(raw.get("ref", "")))
    if kind == "command":
        return Command(
            chat, _sender(raw["sender"]), date, str(raw["name"]),
            tuple(str(a) for a in raw.get("args", ())), str(raw.get("message_id", "")),
            _reply(raw.get("reply_to")), raw.get("thread_id"), bool(raw.get("is_private")),
        )
    if kind == "reaction":
        return Reaction(chat, str(raw["message_id"]), str(raw["user_id"]), date,
                        tuple(raw.get("added", ())), tuple(raw.get("removed", ())))
    if kind == "button_press":
        return ButtonPress(chat, _sender(raw["user"]), date, str(raw["data"]),
                           str(raw.get("message_id", "")), str(raw.get("query_id", "")))
    raise ValueError(f"unknown event type {kind!r}; known: {', '.join(_TYPES)}")
