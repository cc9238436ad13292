"""OneBot v11 events (``post_type`` / ``message_type`` / ``notice_type``) to neutral events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.events import (
    BotMembership,
    JoinRequest,
    Kind,
    Message,
    Segment,
    Sender,
    qualify,
)

from .mapped import (
    ROLES,
    MalformedEvent,
    Mapped,
    as_command,
    member_change,
    need,
    notice_key,
    private_chat,
    when,
)
from .segments import parse_v11, text_of

#: Notices some implementations use for red packets (go-cqhttp: notify/lucky_king).
_RED_PACKET_NOTICES = frozenset({"redbag", "group_redbag", "red_packet"})


def map_event(event: Mapping[str, Any], platform: str = "qq") -> Mapped:
    """Map one v11 event; raises MalformedEvent when a needed field is missing."""
    if not isinstance(event, Mapping):
        raise MalformedEvent("event is not an object")
    need(event, "post_type")
    self_id = text_of(event.get("self_id"))
    post_type = event["post_type"]
    if post_type == "meta_event":
        return _meta(event, self_id)
    if post_type == "message":
        return _message(event, platform, self_id)
    if post_type == "notice":
        return _notice(event, platform, self_id)
    if post_type == "request":
        return _request(event, platform, self_id)
    return Mapped(None, self_id=self_id, note=f"ignored post_type {post_type}")


def _meta(event: Mapping[str, Any], self_id: str) -> Mapped:
    kind = text_of(event.get("meta_event_type"))
    if kind == "lifecycle":
        return Mapped(None, self_id=self_id, meta=f"lifecycle:{text_of(event.get('sub_type'))}")
    if kind == "heartbeat":
        return Mapped(None, self_id=self_id, meta="heartbeat")
    return Mapped(None, self_id=self_id, meta=kind or "unknown")


def _sender(event: Mapping[str, Any], platform: str, self_id: str) -> Sender:
    raw_sender = event.get("sender")
    info: Mapping[str, Any] = raw_sender if isinstance(raw_sender, Mapping) else {}
    user_id = text_of(event.get("user_id") or info.get("user_id"))
    anonymous = event.get("anonymous")
    name = text_of(info.get("card") or info.get("nickname"))
    if isinstance(anonymous, Mapping) and anonymous.get("name"):
        name = text_of(anonymous.get("name"))
    return Sender(
        id=qualify(platform, user_id),
        name=name,
        role=ROLES.get(text_of(info.get("role")), ROLES["member"]),
        is_bot=bool(self_id) and user_id == self_id,
    )


def _message(event: Mapping[str, Any], platform: str, self_id: str) -> Mapped:
    need(event, "message_type", "message_id", "user_id")
    message_type = event["message_type"]
    if message_type == "group":
        need(event, "group_id")
        chat = qualify(platform, text_of(event["group_id"]))
    elif message_type == "private":
        chat = private_chat(platform, text_of(event["user_id"]))
    else:
        return Mapped(None, self_id=self_id, note=f"ignored message_type {message_type}")
    body = parse_v11(event.get("message", event.get("raw_message", "")), platform)
    message_id = text_of(event["message_id"])
    message = Message(
        chat=chat,
        message_id=message_id,
        sender=_sender(event, platform, self_id),
        date=when(event.get("time")),
        segments=body.segments,
        reply_to=body.reply_to,
        is_private=message_type == "private",
        update_id=message_id,
    )
    mentions = tuple(Sender(qualify(platform, uid), name) for uid, name in body.mentions)
    key = f"{platform}:{self_id}:{message_id}"
    return Mapped(as_command(message, mentions) or message, key, chat, self_id)


def _notice(event: Mapping[str, Any], platform: str, self_id: str) -> Mapped:
    need(event, "notice_type")
    kind = event["notice_type"]
    key = notice_key(platform, self_id, event)
    if "group_id" not in event:
        return Mapped(None, key, self_id=self_id, note=f"ignored notice {kind}")
    chat = qualify(platform, text_of(event["group_id"]))
    user_raw = text_of(event.get("user_id"))
    user = Sender(qualify(platform, user_raw))
    operator = text_of(event.get("operator_id"))
    date = when(event.get("time"))
    sub = text_of(event.get("sub_type"))
    is_self = bool(user_raw) and user_raw == self_id
    if kind in ("group_increase", "group_decrease"):
        return member_change(event, platform, self_id, key, joined=kind == "group_increase",
                             removed_self=sub == "kick_me")
    if kind == "group_admin":
        need(event, "user_id")
        if is_self:
            status = "admin" if sub == "set" else "member"
            return Mapped(BotMembership(chat, date, status), key, chat, self_id,
                          invalidate=(chat, user.id))
        return Mapped(None, key, chat, self_id, note=f"admin {sub}: {user.id}",
                      invalidate=(chat, user.id))
    if kind == "group_ban":
        seconds = text_of(event.get("duration"))
        return Mapped(None, key, chat, self_id,
                      note=f"{sub or 'ban'} {user.id} by {operator} for {seconds}s")
    if kind == "group_recall":
        return Mapped(None, key, chat, self_id,
                      note=f"recall {text_of(event.get('message_id'))} of {user.id} by {operator}")
    if kind in _RED_PACKET_NOTICES or (kind == "notify" and sub in ("lucky_king", "redbag")):
        return Mapped(_red_packet(event, chat, user, key), key, chat, self_id)
    return Mapped(None, key, chat, self_id, note=f"ignored notice {kind}/{sub}")


def _red_packet(event: Mapping[str, Any], chat: str, user: Sender, key: str) -> Message:
    """A red packet shown only as a notice becomes a message with a RED_PACKET segment."""
    title = text_of(event.get("title"))
    data = {"source": f"notice:{text_of(event.get('notice_type'))}",
            "sub_type": text_of(event.get("sub_type")),
            "target": text_of(event.get("target_id"))}
    return Message(
        chat=chat,
        message_id=text_of(event.get("message_id")) or f"notice-{key.rsplit(':', 1)[-1]}",
        sender=user,
        date=when(event.get("time")),
        segments=(Segment(Kind.RED_PACKET, title, data),),
        update_id=key,
    )


def _request(event: Mapping[str, Any], platform: str, self_id: str) -> Mapped:
    need(event, "request_type")
    key = notice_key(platform, self_id, event)
    if event["request_type"] != "group":
        return Mapped(None, key, self_id=self_id, note=f"ignored {event['request_type']} request")
    need(event, "group_id", "user_id", "flag")
    chat = qualify(platform, text_of(event["group_id"]))
    if text_of(event.get("sub_type")) == "invite":
        return Mapped(None, key, chat, self_id, note="the bot was invited to a group")
    request = JoinRequest(
        chat=chat,
        user=Sender(qualify(platform, text_of(event["user_id"]))),
        date=when(event.get("time")),
        ref=text_of(event["flag"]),
        bio=text_of(event.get("comment")),
    )
    return Mapped(request, key, chat, self_id)
