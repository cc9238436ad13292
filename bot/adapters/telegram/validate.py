"""The raw JSON shape of an update checked before python-telegram-bot builds objects from it.

Only the fields the bot reads are checked, by type; ``problem`` names the first one wrong
(a path such as ``message.from.id``, never a value: values may be member texts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]
Shape = Mapping[str, tuple[Check, bool]]  # field → (type check, required)


def _int(v: Any) -> bool:
    return type(v) is int and -(2**63) <= v < 2**63


def _str(v: Any) -> bool:
    return type(v) is str


def _name(v: Any) -> bool:
    return type(v) is str and v != ""


def _bool(v: Any) -> bool:
    return type(v) is bool


def _num(v: Any) -> bool:
    return type(v) in (int, float)


def _obj(v: Any) -> bool:
    return type(v) is dict


def _list(v: Any) -> bool:
    return type(v) is list


USER: Shape = {"id": (_int, True), "is_bot": (_bool, True), "first_name": (_name, True),
               "last_name": (_str, False), "username": (_str, False),
               "language_code": (_str, False)}
CHAT: Shape = {"id": (_int, True), "type": (_str, True), "title": (_str, False),
               "username": (_str, False), "first_name": (_str, False),
               "last_name": (_str, False), "is_forum": (_bool, False)}
ENTITY: Shape = {"type": (_str, True), "offset": (_int, True), "length": (_int, True),
                 "url": (_str, False), "language": (_str, False),
                 "custom_emoji_id": (_str, False)}
FILE: Shape = {"file_id": (_str, True), "file_unique_id": (_str, True),
               "file_size": (_int, False), "width": (_int, False), "height": (_int, False),
               "duration": (_int, False), "mime_type": (_str, False),
               "file_name": (_str, False), "type": (_str, False), "emoji": (_str, False)}
MESSAGE: Shape = {"message_id": (_int, True), "date": (_int, True), "chat": (_obj, True),
                  "from": (_obj, False), "sender_chat": (_obj, False), "text": (_str, False),
                  "caption": (_str, False), "entities": (_list, False),
                  "caption_entities": (_list, False), "edit_date": (_int, False),
                  "message_thread_id": (_int, False), "is_topic_message": (_bool, False),
                  "media_group_id": (_str, False), "migrate_to_chat_id": (_int, False),
                  "new_chat_members": (_list, False), "left_chat_member": (_obj, False),
                  "via_bot": (_obj, False), "reply_to_message": (_obj, False),
                  "photo": (_list, False), "is_automatic_forward": (_bool, False),
                  "forward_origin": (_obj, False), "reply_markup": (_obj, False),
                  "contact": (_obj, False), "location": (_obj, False), "venue": (_obj, False),
                  "poll": (_obj, False), "dice": (_obj, False)}
PARTS: Mapping[str, Shape] = {
    "contact": {"phone_number": (_str, True), "first_name": (_str, True),
                "last_name": (_str, False), "user_id": (_int, False)},
    "location": {"latitude": (_num, True), "longitude": (_num, True)},
    "venue": {"location": (_obj, True), "title": (_str, True), "address": (_str, True)},
    "poll": {"id": (_str, True), "question": (_str, True), "options": (_list, True),
             "type": (_str, True)},
    "dice": {"emoji": (_str, True), "value": (_int, True)},
    "forward_origin": {"type": (_str, True), "date": (_int, True),
                       "sender_user": (_obj, False), "sender_chat": (_obj, False),
                       "chat": (_obj, False), "sender_user_name": (_str, False),
                       "author_signature": (_str, False), "message_id": (_int, False)},
    "reply_markup": {"inline_keyboard": (_list, False)},
}
BUTTON: Shape = {"text": (_str, True), "url": (_str, False), "callback_data": (_str, False)}
_MEDIA = ("voice", "video_note", "audio", "video", "sticker", "animation", "document")
MEMBER: Shape = {"status": (_str, True), "user": (_obj, True)}
MEMBER_UPDATE: Shape = {"chat": (_obj, True), "from": (_obj, True), "date": (_int, True),
                        "old_chat_member": (_obj, True), "new_chat_member": (_obj, True)}
JOIN_REQUEST: Shape = {"chat": (_obj, True), "from": (_obj, True), "date": (_int, True),
                       "user_chat_id": (_int, True), "bio": (_str, False)}
REACTION: Shape = {"chat": (_obj, True), "message_id": (_int, True), "date": (_int, True),
                   "user": (_obj, False), "actor_chat": (_obj, False),
                   "old_reaction": (_list, True), "new_reaction": (_list, True)}
CALLBACK: Shape = {"id": (_str, True), "from": (_obj, True), "chat_instance": (_str, True),
                   "message": (_obj, False), "data": (_str, False)}
#: update fields the bot asks for; any other is left to python-telegram-bot as it is
KINDS = ("message", "edited_message", "chat_member", "my_chat_member", "chat_join_request",
         "message_reaction", "callback_query")


def _fields(raw: Any, shape: Shape, path: str) -> str | None:
    if type(raw) is not dict:
        return f"{path} is not an object"
    for name, (check, required) in shape.items():
        value = raw.get(name)
        if value is None:
            if required or name in raw:
                return f"{path}.{name} is missing" if required else f"{path}.{name} is null"
            continue
        if not check(value):
            return f"{path}.{name} has the wrong type"
    return None


def _each(items: list[Any], shape: Shape, path: str) -> str | None:
    for index, item in enumerate(items):
        wrong = _fields(item, shape, f"{path}[{index}]")
        if wrong:
            return wrong
    return None


def _user(raw: Any, path: str) -> str | None:
    return _fields(raw, USER, path) if raw is not None else None


def _message(raw: Any, path: str, depth: int = 0) -> str | None:
    wrong = _fields(raw, MESSAGE, path) or _fields(raw["chat"], CHAT, f"{path}.chat") \
        or _user(raw.get("from"), f"{path}.from") or _user(raw.get("via_bot"), f"{path}.via_bot")
    if wrong:
        return wrong
    if raw.get("sender_chat") is not None:
        wrong = _fields(raw["sender_chat"], CHAT, f"{path}.sender_chat")
    elif raw.get("from") is None and depth == 0:
        return f"{path} has neither from nor sender_chat"
    for name in ("entities", "caption_entities"):
        if wrong is None and raw.get(name):
            wrong = _each(raw[name], ENTITY, f"{path}.{name}")
            for entity in raw[name] if wrong is None else ():
                wrong = wrong or _user(entity.get("user"), f"{path}.{name}[].user")
    if wrong is None and raw.get("new_chat_members"):
        wrong = _each(raw["new_chat_members"], USER, f"{path}.new_chat_members")
    if wrong is None and raw.get("left_chat_member") is not None:
        wrong = _user(raw["left_chat_member"], f"{path}.left_chat_member")
    if wrong is None and raw.get("photo"):
        wrong = _each(raw["photo"], FILE, f"{path}.photo")
    for name in _MEDIA:
        if wrong is None and name in raw:
            wrong = _fields(raw[name], FILE, f"{path}.{name}")
    for name, shape in PARTS.items():
        if wrong is None and name in raw:
            wrong = _fields(raw[name], shape, f"{path}.{name}") or _part(raw[name], name, path)
    for text, entities in (("text", "entities"), ("caption", "caption_entities")):
        if wrong is None and raw.get(entities) and not raw.get(text):
            wrong = f"{path}.{entities} without {text}"
    if wrong is None and raw.get("reply_to_message") is not None:
        wrong = _message(raw["reply_to_message"], f"{path}.reply_to_message", depth + 1) \
            if depth == 0 else f"{path}.reply_to_message is nested too deep"
    return wrong


def _part(raw: dict[str, Any], name: str, path: str) -> str | None:
    """The nested objects of a message part (poll options, keyboard rows, origins)."""
    if name == "poll":
        return _each(raw["options"], {"text": (_str, True)}, f"{path}.poll.options")
    if name == "reply_markup":
        for row in raw.get("inline_keyboard") or []:
            if type(row) is not list:
                return f"{path}.reply_markup.inline_keyboard has a row that is not a list"
            wrong = _each(row, BUTTON, f"{path}.reply_markup.inline_keyboard[]")
            if wrong:
                return wrong
    if name == "forward_origin":
        for key, shape in (("sender_user", USER), ("sender_chat", CHAT), ("chat", CHAT)):
            if raw.get(key) is not None:
                wrong = _fields(raw[key], shape, f"{path}.forward_origin.{key}")
                if wrong:
                    return wrong
    if name == "venue":
        return _fields(raw["location"], PARTS["location"], f"{path}.venue.location")
    return None


def _member_update(raw: Any, path: str) -> str | None:
    wrong = _fields(raw, MEMBER_UPDATE, path)
    if wrong:
        return wrong
    return _fields(raw["chat"], CHAT, f"{path}.chat") or _user(raw["from"], f"{path}.from") \
        or next((w for side in ("old_chat_member", "new_chat_member")
                 for w in (_fields(raw[side], MEMBER, f"{path}.{side}")
                           or _user(raw[side]["user"], f"{path}.{side}.user"),) if w), None)


def _join_request(raw: Any, path: str) -> str | None:
    return _fields(raw, JOIN_REQUEST, path) or _fields(raw["chat"], CHAT, f"{path}.chat") \
        or _user(raw["from"], f"{path}.from")


def _reaction(raw: Any, path: str) -> str | None:
    wrong = _fields(raw, REACTION, path) or _fields(raw["chat"], CHAT, f"{path}.chat") \
        or _user(raw.get("user"), f"{path}.user")
    if wrong is None and raw.get("actor_chat") is not None:
        wrong = _fields(raw["actor_chat"], CHAT, f"{path}.actor_chat")
    for side in ("old_reaction", "new_reaction"):
        if wrong is None:
            wrong = _each(raw[side], {"type": (_str, True), "emoji": (_str, False),
                                      "custom_emoji_id": (_str, False)}, f"{path}.{side}")
    return wrong


def _callback(raw: Any, path: str) -> str | None:
    wrong = _fields(raw, CALLBACK, path) or _user(raw["from"], f"{path}.from")
    message = raw.get("message")
    if wrong is None and message is not None:
        if message.get("date") == 0:  # an inaccessible message: only its chat and id
            wrong = _fields(message, {"chat": (_obj, True), "message_id": (_int, True)},
                            f"{path}.message") or _fields(message["chat"], CHAT,
                                                          f"{path}.message.chat")
        else:
            wrong = _message(message, f"{path}.message", 1)
    return wrong


_CHECKS: dict[str, Callable[[Any, str], str | None]] = {
    "message": _message, "edited_message": _message, "chat_member": _member_update,
    "my_chat_member": _member_update, "chat_join_request": _join_request,
    "message_reaction": _reaction, "callback_query": _callback,
}


def update_id_of(raw: object) -> int | None:
    """The update's id when it is a proper integer (needed to acknowledge it)."""
    if type(raw) is dict:
        value: Any = raw.get("update_id")
        if _int(value):
            return int(value)
    return None


def problem(raw: object) -> str | None:
    """What is wrong with a raw update, or None when the bot can read it safely."""
    if type(raw) is not dict:
        return "the update is not an object"
    if update_id_of(raw) is None:
        return "update_id is missing or not an integer"
    for kind, check in _CHECKS.items():
        if kind in raw:
            try:
                return check(raw[kind], kind)
            except (KeyError, TypeError, AttributeError):
                return f"{kind} has an unreadable shape"
    return None
