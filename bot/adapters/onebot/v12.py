"""OneBot v12 events (``type`` / ``detail_type`` / ``self``) to neutral events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.events import (
    BotMembership,
    Kind,
    Message,
    Segment,
    Sender,
    qualify,
)

from .mapped import (
    MalformedEvent,
    Mapped,
    as_command,
    member_change,
    need,
    notice_key,
    private_chat,
    when,
)
from .segments import parse_v12, text_of

#: ComWeChat shows a red packet only as this notice (no message segment exists).
_RED_PACKET_NOTICES = frozenset({"wx.get_group_redbag", "wx.group_redbag"})


def self_id_of(event: Mapping[str, Any]) -> str:
    """The bot account an event belongs to: ``self.user_id`` (empty for meta events)."""
    me = event.get("self")
    return text_of(me.get("user_id")) if isinstance(me, Mapping) else ""


def map_event(event: Mapping[str, Any], platform: str = "wx") -> Mapped:
    """Map one v12 event; raises MalformedEvent when a needed field is missing."""
    if not isinstance(event, Mapping):
        raise MalformedEvent("event is not an object")
    need(event, "type", "detail_type")
    self_id = self_id_of(event)
    kind = event["type"]
    if kind == "meta":
        return Mapped(None, self_id=self_id, meta=text_of(event["detail_type"]))
    if kind == "message":
        return _message(event, platform, self_id)
    if kind == "notice":
        return _notice(event, platform, self_id)
    key = _key(event, platform, self_id)
    return Mapped(None, key, self_id=self_id, note=f"ignored {kind}.{event['detail_type']}")


def _key(event: Mapping[str, Any], platform: str, self_id: str) -> str:
    event_id = text_of(event.get("id"))
    return f"{platform}:{self_id}:e:{event_id}" if event_id else notice_key(
        platform, self_id, event
    )


def _message(event: Mapping[str, Any], platform: str, self_id: str) -> Mapped:
    need(event, "message_id", "user_id")
    detail = event["detail_type"]
    user_raw = text_of(event["user_id"])
    if detail == "group":
        need(event, "group_id")
        chat = qualify(platform, text_of(event["group_id"]))
    elif detail == "private":
        chat = private_chat(platform, user_raw)
    else:
        return Mapped(None, self_id=self_id, note=f"ignored message {detail}")
    body = parse_v12(event.get("message", []), platform)
    message_id = text_of(event["message_id"])
    sender = Sender(
        id=qualify(platform, user_raw),
        name=text_of(event.get("user_name") or event.get("user_card")),
        is_bot=bool(self_id) and user_raw == self_id,
    )
    message = Message(
        chat=chat,
        message_id=message_id,
        sender=sender,
        date=when(event.get("time")),
        segments=body.segments,
        reply_to=body.reply_to,
        is_private=detail == "private",
        update_id=text_of(event.get("id")) or message_id,
    )
    mentions = tuple(Sender(qualify(platform, uid), name) for uid, name in body.mentions)
    key = f"{platform}:{self_id}:{message_id}"
    return Mapped(as_command(message, mentions) or message, key, chat, self_id)


def _notice(event: Mapping[str, Any], platform: str, self_id: str) -> Mapped:
    detail = text_of(event["detail_type"])
    key = _key(event, platform, self_id)
    if not event.get("group_id"):
        return Mapped(None, key, self_id=self_id, note=f"ignored notice {detail}")
    chat = qualify(platform, text_of(event["group_id"]))
    user_raw = text_of(event.get("user_id"))
    user = Sender(qualify(platform, user_raw))
    sub = text_of(event.get("sub_type"))
    date = when(event.get("time"))
    is_self = bool(user_raw) and user_raw == self_id
    if detail in ("group_member_increase", "group_member_decrease"):
        return member_change(event, platform, self_id, key,
                             joined=detail == "group_member_increase")
    if detail in ("group_admin_set", "group_admin_unset"):
        if is_self:
            status = "admin" if detail == "group_admin_set" else "member"
            return Mapped(BotMembership(chat, date, status), key, chat, self_id,
                          invalidate=(chat, user.id))
        return Mapped(None, key, chat, self_id, note=f"{detail}: {user.id}",
                      invalidate=(chat, user.id))
    if detail == "group_message_delete":
        return Mapped(None, key, chat, self_id,
                      note=f"{sub or 'delete'} {text_of(event.get('message_id'))} of {user.id}")
    if detail in _RED_PACKET_NOTICES:
        packet = Message(
            chat=chat,
            message_id=text_of(event.get("message_id")) or f"notice-{key.rsplit(':', 1)[-1]}",
            sender=user,
            date=date,
            segments=(Segment(Kind.RED_PACKET, "", {"source": f"notice:{detail}"}),),
            update_id=key,
        )
        return Mapped(packet, key, chat, self_id)
    return Mapped(None, key, chat, self_id, note=f"ignored notice {detail}")
