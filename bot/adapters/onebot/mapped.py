"""What mapping one OneBot event yields, plus helpers shared by the v11 and v12 mappers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.events import (
    BotMembership,
    Command,
    Event,
    MemberJoined,
    MemberLeft,
    Message,
    ReplyRef,
    Role,
    Sender,
    qualify,
)

from .segments import text_of

_COMMAND = re.compile(r"^/([A-Za-z][A-Za-z0-9_]*)(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)


class MalformedEvent(ValueError):
    """An event that lacks a field the mapping needs; logged and skipped, never fatal."""


@dataclass(frozen=True, slots=True)
class Mapped:
    """The outcome of mapping one raw event.

    ``event`` goes to the sink (None: nothing for the core); ``chat`` and ``self_id`` route
    later calls for that chat to the account that reported it; ``note`` says what was seen
    when there is no event (a recall, a ban); ``invalidate`` names a member whose role changed;
    ``meta`` is set for lifecycle and heartbeat events (connection bookkeeping).
    """

    event: Event | None
    key: str = ""
    chat: str = ""
    self_id: str = ""
    note: str = ""
    invalidate: tuple[str, str] | None = None
    meta: str = ""


ROLES: Mapping[str, Role] = {"owner": Role.OWNER, "admin": Role.ADMIN, "member": Role.MEMBER}


def when(raw: Any) -> datetime:
    """An event time (seconds, int or float) as aware UTC; missing → now."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0:
        return datetime.fromtimestamp(float(raw), UTC)
    return datetime.now(UTC)


def need(event: Mapping[str, Any], *names: str) -> None:
    missing = [n for n in names if event.get(n) in (None, "")]
    if missing:
        raise MalformedEvent(f"missing {', '.join(missing)}")


def member_change(event: Mapping[str, Any], platform: str, self_id: str, key: str, *,
                  joined: bool, removed_self: bool = False) -> Mapped:
    """A member joined or left a group (v11 ``group_increase``/``group_decrease``, v12
    ``group_member_increase``/``decrease``); the bot's own arrival or removal is a
    BotMembership. ``removed_self`` marks a removal the implementation flags as the bot's."""
    need(event, "group_id", "user_id")
    chat = qualify(platform, text_of(event["group_id"]))
    user_raw = text_of(event["user_id"])
    operator = text_of(event.get("operator_id"))
    sub = text_of(event.get("sub_type"))
    date = when(event.get("time"))
    if removed_self or user_raw == self_id:
        status = "member" if joined else "kicked"
        return Mapped(BotMembership(chat, date, status), key, chat, self_id)
    user = Sender(qualify(platform, user_raw))
    if joined:
        invited = qualify(platform, operator) if sub == "invite" and operator else ""
        return Mapped(MemberJoined(chat, user, date, invited_by=invited), key, chat, self_id)
    removed_by = qualify(platform, operator) if sub == "kick" and operator else ""
    return Mapped(MemberLeft(chat, user, date, removed_by=removed_by), key, chat, self_id)


def notice_key(platform: str, self_id: str, event: Mapping[str, Any]) -> str:
    """A stable dedupe key for an event without an id: a hash of its canonical JSON."""
    digest = hashlib.sha1(
        json.dumps(event, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()[:20]
    return f"{platform}:{self_id}:n:{digest}"


def private_chat(platform: str, user_id: str) -> str:
    """Private chats get their own namespace: QQ group and user numbers overlap."""
    return qualify(platform, f"private:{user_id}")


def as_command(message: Message, mentions: tuple[Sender, ...]) -> Command | None:
    """A message whose text starts with ``/name`` is a Command (``/warn spam`` → warn, spam)."""
    match = _COMMAND.match(message.text.strip())
    if not match:
        return None
    args = tuple((match.group(2) or "").split())
    return Command(
        chat=message.chat,
        sender=message.sender,
        date=message.date,
        name=match.group(1).lower(),
        args=args,
        message_id=message.message_id,
        reply_to=message.reply_to,
        is_private=message.is_private,
        mentions=mentions,
    )


def with_reply_sender(reply: ReplyRef | None, sender_id: str) -> ReplyRef | None:
    if reply is None or reply.sender_id or not sender_id:
        return reply
    return ReplyRef(reply.message_id, sender_id, reply.text)
