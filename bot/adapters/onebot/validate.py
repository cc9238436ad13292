"""The raw shape of a OneBot event checked before it is mapped: ids are numbers or strings,
objects are objects, a message is an array of ``{type, data}`` segments (or v11 text).

``problem`` names the first field that is wrong, never its value (values may be texts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: fields holding an id: a number or a non-empty string on the wire
_IDS = ("self_id", "user_id", "group_id", "operator_id", "message_id", "target_id", "id",
        "guild_id", "channel_id")
_TEXTS = ("post_type", "message_type", "notice_type", "request_type", "meta_event_type",
          "sub_type", "type", "detail_type", "flag", "comment", "raw_message", "alt_message",
          "title")
_NUMBERS = ("time", "duration")
_OBJECTS = ("sender", "self", "anonymous", "status")


def _id(value: Any) -> bool:
    if type(value) is int:
        return -(2**63) <= value < 2**63
    return type(value) is str and 0 < len(value) <= 128


def _segments(message: Any, version: int) -> str | None:
    if type(message) is str:
        return None if version == 11 else "message is text, not segments"
    if type(message) is not list:
        return "message is neither segments nor text"
    for index, segment in enumerate(message):
        if type(segment) is not dict or type(segment.get("type")) is not str:
            return f"message[{index}] is not a segment"
        data = segment.get("data")
        if data is not None and type(data) is not dict:
            return f"message[{index}].data is not an object"
    return None


def problem(event: object, version: int) -> str | None:
    """What is wrong with a raw event, or None when the mapper can read it safely."""
    if not isinstance(event, Mapping):
        return "the event is not an object"
    for name in _IDS:
        value = event.get(name)
        if value is not None and not _id(value):
            return f"{name} is not an id"
    for name in _TEXTS:
        value = event.get(name)
        if value is not None and type(value) is not str:
            return f"{name} is not text"
    for name in _NUMBERS:
        value = event.get(name)
        if value is not None and (type(value) not in (int, float) or value != value):
            return f"{name} is not a number"
    for name in _OBJECTS:
        value = event.get(name)
        if value is not None and type(value) is not dict:
            return f"{name} is not an object"
    sender = event.get("sender")
    if sender is not None:
        for name in ("user_id", "card", "nickname", "role"):
            value = sender.get(name)
            if value is not None and not (_id(value) if name == "user_id"
                                          else type(value) is str):
                return f"sender.{name} has the wrong type"
    me = event.get("self")
    if me is not None and any(me.get(k) is not None and not _id(me.get(k))
                              for k in ("user_id", "platform")):
        return "self has the wrong shape"
    if "message" in event:
        return _segments(event["message"], version)
    return None
