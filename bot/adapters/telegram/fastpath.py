"""Plain group text messages decoded straight from the raw update, without PTB's object model."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, LinkPreviewOptions, MessageEntity, Update, User

from bot.adapters.telegram.mapping import MapContext, qid
from bot.adapters.telegram.segments import host_of
from bot.events import Event, Kind, Message, ReplyRef, Role, Segment, Sender


def _params(cls: type) -> frozenset[str]:
    """The fields PTB's constructor takes: any other key is one PTB would set aside (or, named
    ``api_kwargs``, choke on); the fast path declines them all."""
    return frozenset(inspect.signature(cls).parameters) - {"api_kwargs"}


_USER = _params(User)
_CHAT = _params(Chat)
_PREVIEW = _params(LinkPreviewOptions)
_TOPIC_CREATED = frozenset({"name", "icon_color", "icon_custom_emoji_id", "is_name_implicit"})
_ENTITY = frozenset({"type", "offset", "length", "url", "user", "language", "custom_emoji_id"})
#: fields read by the mapping or stored by PTB as they come (never parsed, never failing)
_SCALARS = frozenset({"message_id", "date", "text", "message_thread_id", "is_topic_message",
                      "is_automatic_forward", "has_protected_content", "author_signature",
                      "is_from_offline", "sender_boost_count"})
_OBJECTS = frozenset({"chat", "from", "sender_chat", "entities", "via_bot",
                      "link_preview_options"})
_MESSAGE = _SCALARS | _OBJECTS | {"reply_to_message"}
_REPLY = _SCALARS | _OBJECTS | {"forum_topic_created", "edit_date"}
_GROUPS = frozenset({"group", "supergroup"})
_ENTITY_TYPES = frozenset(str(t) for t in MessageEntity.ALL_TYPES)
_BOT_COMMAND = str(MessageEntity.BOT_COMMAND)


class PlainMessage(Update):
    """A stand-in for a plain group message: its update id, chat id and the raw message.

    python-telegram-bot sees an Update without content (its one handler passes it on); the
    processor maps ``raw`` with ``message_events``.
    """

    __slots__ = ("chat_id", "raw")

    def __init__(self, update_id: int, raw: dict[str, Any]) -> None:
        # Update.__init__ sets its 30-odd fields one by one through PTB's __setattr__; an
        # empty Update's (immutable) values are copied in directly instead
        put = object.__setattr__
        for name, value in _EMPTY:
            put(self, name, value)
        put(self, "update_id", update_id)
        put(self, "_id_attrs", (update_id,))
        put(self, "raw", raw)
        put(self, "chat_id", raw["chat"]["id"])
        self.raw: dict[str, Any]
        self.chat_id: int


_EMPTY = tuple((name, getattr(Update(0), name)) for cls in Update.__mro__
               for name in getattr(cls, "__slots__", ()))


def _keys(value: Any, allowed: frozenset[str]) -> bool:
    return type(value) is dict and value.keys() <= allowed


def _timestamp(value: Any) -> bool:
    try:
        datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError, TypeError):
        return False
    return True


def _common(msg: dict[str, Any]) -> bool:
    """The shape both a message and the message it replies to need (``problem`` has checked
    the types of the fields it knows)."""
    if not (_keys(msg["chat"], _CHAT) and _timestamp(msg["date"])):
        return False
    for name in ("from", "via_bot"):
        user = msg.get(name)
        if user is not None and not _keys(user, _USER):
            return False
    sender_chat = msg.get("sender_chat")
    if sender_chat is not None and not _keys(sender_chat, _CHAT):
        return False
    preview = msg.get("link_preview_options")
    if preview is not None and not _keys(preview, _PREVIEW):
        return False
    for entity in msg.get("entities") or ():
        if not _keys(entity, _ENTITY):
            return False
        user = entity.get("user")
        if user is not None and not _keys(user, _USER):
            return False
    return True


def _reply_ok(ref: dict[str, Any]) -> bool:
    if not (_keys(ref, _REPLY) and _common(ref)):
        return False
    topic = ref.get("forum_topic_created")
    if topic is not None and not (_keys(topic, _TOPIC_CREATED) and "name" in topic
                                  and "icon_color" in topic):
        return False
    edited = ref.get("edit_date")
    return edited is None or _timestamp(edited)


def accepts(raw: object) -> bool:
    """Whether an update (already passed by ``validate.problem``) is a plain text message in
    a group that maps exactly as python-telegram-bot's objects would: nothing but known
    fields, no command, no media, no forward, no service content."""
    if type(raw) is not dict or raw.keys() != {"update_id", "message"}:
        return False
    msg = raw["message"]
    if type(msg) is not dict:
        return False
    if not _keys(msg, _MESSAGE) or not msg.get("text") or not _common(msg):
        return False
    if msg["chat"]["type"] not in _GROUPS or ("from" not in msg and "sender_chat" not in msg):
        return False
    entities = msg.get("entities")
    if entities and entities[0]["type"] == _BOT_COMMAND and entities[0]["offset"] == 0:
        return False  # a command: PTB's path maps it
    ref = msg.get("reply_to_message")
    return ref is None or _reply_ok(ref)


def plain(raw: object) -> PlainMessage | None:
    """The carrier of an accepted update, else None (PTB parses it)."""
    if not accepts(raw):
        return None
    assert isinstance(raw, dict)
    return PlainMessage(raw["update_id"], raw["message"])


def _full_name(who: dict[str, Any]) -> str | None:
    first = who.get("first_name")
    if not first:
        return None
    last = who.get("last_name")
    return f"{first} {last}" if last else first


def _sender(msg: dict[str, Any], chat: dict[str, Any], ctx: MapContext) -> Sender:
    sc = msg.get("sender_chat")
    if sc is not None:
        name = sc.get("title") or _full_name(sc) or ""
        if sc["id"] == chat["id"]:
            return Sender(qid(sc["id"]), name, sc.get("username") or "", Role.ADMIN,
                          is_anonymous_admin=True)
        role = Role.ADMIN if msg.get("is_automatic_forward") else Role.MEMBER
        return Sender(qid(sc["id"]), name, sc.get("username") or "", role, is_channel=True)
    user = msg["from"]
    role = ctx.role_of(chat["id"], user["id"])
    ident = qid(user["id"])
    if role < Role.MODERATOR and ident in ctx.moderators:
        role = Role.MODERATOR
    return Sender(ident, _full_name(user) or "", user.get("username") or "", role,
                  is_bot=user["is_bot"])


def _parsed(text: str, entities: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """PTB's ``parse_entities``: known types, one per (type, offset, length), the first kept;
    none at all when the text cannot be cut in UTF-16 (a lone surrogate)."""
    out: dict[tuple[str, int, int], tuple[dict[str, Any], str]] = {}
    try:
        encoded = text.encode("utf-16-le")
        for entity in entities:
            kind = entity["type"]
            if kind not in _ENTITY_TYPES:
                continue
            offset, length = entity["offset"], entity["length"]
            part = encoded[offset * 2:(offset + length) * 2].decode("utf-16-le")
            key = (kind, offset, length)
            if key not in out:
                out[key] = (entity, part)
    except UnicodeError:
        return []
    return list(out.values())


def _entity_segments(text: str, entities: list[dict[str, Any]]) -> list[Segment]:
    out: list[Segment] = []
    for entity, part in _parsed(text, entities):
        kind = entity["type"]
        if kind == "url":
            out.append(Segment(Kind.LINK, part, {"host": host_of(part), "source": "entity"}))
        elif kind == "text_link" and entity.get("url"):
            url = entity["url"]
            out.append(Segment(Kind.LINK, url, {"host": host_of(url), "source": "text_link",
                                                "label": part}))
        elif kind == "mention":
            out.append(Segment(Kind.MENTION, part, {"username": part.lstrip("@")}))
        elif kind == "text_mention" and entity.get("user") is not None:
            user = entity["user"]
            out.append(Segment(Kind.MENTION, part, {"user_id": qid(user["id"]),
                                                    "username": user.get("username") or ""}))
        elif kind == "phone_number":
            out.append(Segment(Kind.CONTACT, part, {"phone": part}))
        elif kind == "email":
            out.append(Segment(Kind.CONTACT, part, {"email": part}))
    return out


def _reply(msg: dict[str, Any]) -> ReplyRef | None:
    ref = msg.get("reply_to_message")
    if ref is None or ref.get("forum_topic_created") is not None:
        return None  # a topic's root is not a real reply
    sc, user = ref.get("sender_chat"), ref.get("from")
    sender = sc["id"] if sc is not None else (user["id"] if user is not None else "")
    return ReplyRef(str(ref["message_id"]), qid(sender) if sender != "" else "",
                    ref.get("text") or "")


def message_events(msg: dict[str, Any], update_id: int, ctx: MapContext) -> list[Event]:
    """The neutral events of an accepted message: equal to what ``mapping.map_update`` makes
    of the same update parsed by PTB."""
    chat = msg["chat"]
    text: str = msg["text"]
    segments = [Segment(Kind.TEXT, text)]
    entities = msg.get("entities")
    if entities:
        segments.extend(_entity_segments(text, entities))
    via = msg.get("via_bot")
    return [Message(
        qid(chat["id"]), str(msg["message_id"]),
        _sender(msg, chat, ctx),
        datetime.fromtimestamp(msg["date"], UTC), tuple(segments), _reply(msg),
        str(msg.get("message_thread_id")) if msg.get("is_topic_message") else None,
        None, False, via.get("username") or "" if via is not None else "", False,
        str(update_id),
    )]
