"""OneBot message segments (v11 arrays and v12) to neutral segments, and outgoing segments."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.events import Kind, ReplyRef, Segment, qualify

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。！？、（）()\[\]【】]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A message body: neutral segments, the message replied to, raw ids mentioned."""

    segments: tuple[Segment, ...]
    reply_to: ReplyRef | None
    mentions: tuple[tuple[str, str], ...]  # (raw user id, display name)


def text_of(value: Any) -> str:
    """A JSON value as a string field: None → "", numbers → their decimal text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def raw_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def host_of(url: str) -> str:
    target = url if "://" in url else f"http://{url}"
    try:
        return (urlsplit(target).hostname or "").lower()
    except ValueError:
        return ""


def links_in(text: str) -> list[Segment]:
    """LINK segments for every URL in plain text (OneBot has no entities, unlike Telegram)."""
    return [
        Segment(Kind.LINK, m.group(0), {"url": m.group(0), "host": host_of(m.group(0))})
        for m in _URL.finditer(text)
    ]


def _first_url(raw: str) -> str:
    match = _URL.search(raw.replace("\\/", "/"))
    return match.group(0) if match else ""


def _card(source: str, data: Mapping[str, Any], raw: str = "") -> Segment:
    body = raw or raw_json(dict(data))
    url = text_of(data.get("url")) or _first_url(body)
    title = text_of(data.get("title") or data.get("tittle") or data.get("prompt"))
    fields = {"source": source, "raw": body, "url": url, "host": host_of(url) if url else ""}
    if title:
        fields["title"] = title
    content = text_of(data.get("content") or data.get("des") or data.get("desc"))
    if content:
        fields["content"] = content
    return Segment(Kind.CARD, title, fields)


def _json_card(source: str, data: Mapping[str, Any]) -> Segment:
    raw = text_of(data.get("data"))
    title = ""
    try:
        parsed = json.loads(raw)
        if isinstance(parsed, dict):
            title = text_of(parsed.get("prompt") or parsed.get("desc"))
    except ValueError:
        pass
    segment = _card(source, {"title": title}, raw)
    return segment


def _media(kind: Kind, data: Mapping[str, Any]) -> Segment:
    fields = {k: text_of(data.get(k)) for k in ("url", "file", "file_id") if data.get(k)}
    fields.setdefault("url", "")
    fields.setdefault("file", fields.get("file_id", ""))
    return Segment(kind, "", fields)


def _unknown(kind_name: str, data: Mapping[str, Any]) -> Segment:
    return Segment(Kind.UNKNOWN, "", {"type": kind_name, "raw": raw_json(dict(data))})


class _Collector:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.segments: list[Segment] = []
        self.reply: ReplyRef | None = None
        self.mentions: list[tuple[str, str]] = []

    def text(self, text: str) -> None:
        if text:
            self.segments.append(Segment(Kind.TEXT, text))
            self.segments.extend(links_in(text))

    def mention(self, raw_id: str, name: str) -> None:
        if raw_id == "all":
            self.segments.append(Segment(Kind.MENTION, "@all", {"user_id": "", "all": "1"}))
            return
        self.mentions.append((raw_id, name))
        qualified = qualify(self.platform, raw_id)
        self.segments.append(Segment(Kind.MENTION, f"@{name or raw_id}", {"user_id": qualified}))

    def result(self) -> Parsed:
        return Parsed(tuple(self.segments), self.reply, tuple(self.mentions))


def _v11_one(out: _Collector, kind: str, data: Mapping[str, Any]) -> None:
    add = out.segments.append
    if kind == "text":
        out.text(text_of(data.get("text")))
    elif kind == "at":
        out.mention(text_of(data.get("qq")), text_of(data.get("name")))
    elif kind == "reply":
        out.reply = ReplyRef(text_of(data.get("id")))
    elif kind == "face":
        add(Segment(Kind.STICKER, "", {"source": "face", "id": text_of(data.get("id"))}))
    elif kind == "mface":
        fields = {k: text_of(v) for k, v in data.items() if v is not None}
        add(Segment(Kind.STICKER, text_of(data.get("summary")), {"source": "mface", **fields}))
    elif kind == "image":
        is_sticker = text_of(data.get("sub_type")) == "1"
        segment = _media(Kind.STICKER if is_sticker else Kind.IMAGE, data)
        add(Segment(segment.kind, text_of(data.get("summary")), segment.data))
    elif kind == "record":
        add(_media(Kind.VOICE, data))
    elif kind == "video":
        add(_media(Kind.VIDEO, data))
    elif kind == "file":
        add(_media(Kind.FILE, data))
    elif kind in ("forward", "node"):
        add(Segment(Kind.FORWARD, "", {"id": text_of(data.get("id")), "raw": raw_json(data)}))
    elif kind in ("share", "music", "miniapp"):
        add(_card(kind, data))
    elif kind in ("json", "xml"):
        add(_json_card(kind, data))
    elif kind == "contact":
        add(Segment(Kind.CONTACT, "", {"type": text_of(data.get("type")),
                                      "id": text_of(data.get("id"))}))
    elif kind == "location":
        add(_location(data, "lat", "lon"))
    elif kind == "redbag":
        add(Segment(Kind.RED_PACKET, text_of(data.get("title")), {"source": "redbag"}))
    elif kind in ("dice", "rps"):
        add(Segment(Kind.DICE, text_of(data.get("result")), {"source": kind}))
    elif kind == "markdown":
        out.text(text_of(data.get("content")))
    else:
        add(_unknown(kind, data))


def _location(data: Mapping[str, Any], lat: str, lon: str) -> Segment:
    return Segment(
        Kind.LOCATION,
        text_of(data.get("title")),
        {"latitude": text_of(data.get(lat)), "longitude": text_of(data.get(lon)),
         "content": text_of(data.get("content"))},
    )


def _v12_one(out: _Collector, kind: str, data: Mapping[str, Any]) -> None:
    add = out.segments.append
    if kind == "text":
        out.text(text_of(data.get("text")))
    elif kind == "mention":
        out.mention(text_of(data.get("user_id")), text_of(data.get("user_name")))
    elif kind == "mention_all":
        out.mention("all", "")
    elif kind == "reply":
        out.reply = ReplyRef(
            text_of(data.get("message_id")),
            qualify(out.platform, text_of(data["user_id"])) if data.get("user_id") else "",
        )
    elif kind in ("image", "voice", "audio", "video", "file"):
        add(_media(_V12_MEDIA[kind], data))
    elif kind == "location":
        add(_location(data, "latitude", "longitude"))
    elif kind in ("wx.emoji", "wx.face"):
        fields = {k: text_of(v) for k, v in data.items() if v is not None}
        add(Segment(Kind.STICKER, text_of(data.get("dec")), {"source": kind, **fields}))
    elif kind in ("wx.link", "wx.app", "wx.xml", "wx.miniapp"):
        add(_card(kind, data))
    elif kind in ("card", "wx.card"):
        add(Segment(Kind.CONTACT, text_of(data.get("nickname")),
                    {"type": "user", "id": text_of(data.get("user_id") or data.get("v3"))}))
    else:
        add(_unknown(kind, data))


_V12_MEDIA = {
    "image": Kind.IMAGE,
    "voice": Kind.VOICE,
    "audio": Kind.AUDIO,
    "video": Kind.VIDEO,
    "file": Kind.FILE,
}


def _parse(
    raw: Any, platform: str, one: Callable[[_Collector, str, Mapping[str, Any]], None]
) -> Parsed:
    out = _Collector(platform)
    if isinstance(raw, str):  # string-format messages: kept as text, never decoded
        out.text(raw)
        return out.result()
    if not isinstance(raw, list):
        raise ValueError(f"message is neither an array nor a string: {type(raw).__name__}")
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            out.segments.append(_unknown("malformed", {"value": item}))
            continue
        data = item.get("data")
        one(out, item["type"], data if isinstance(data, dict) else {})
    return out.result()


def parse_v11(raw: Any, platform: str) -> Parsed:
    """Parse a v11 message array (string format is kept as plain text)."""
    return _parse(raw, platform, _v11_one)


def parse_v12(raw: Any, platform: str) -> Parsed:
    """Parse a v12 message (always an array of segments)."""
    return _parse(raw, platform, _v12_one)


def outgoing_v11(
    text: str, reply_to: str | None = None, mention: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """A v11 message array: the reply, the mentioned users, then the text."""
    segments: list[dict[str, Any]] = []
    if reply_to:
        segments.append({"type": "reply", "data": {"id": reply_to}})
    for user in mention:
        segments.append({"type": "at", "data": {"qq": user}})
        segments.append({"type": "text", "data": {"text": " "}})
    segments.append({"type": "text", "data": {"text": text}})
    return segments


def outgoing_v12(
    text: str, reply_to: str | None = None, mention: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """A v12 message: the reply, the mentioned users, then the text."""
    segments: list[dict[str, Any]] = []
    mentioned = list(mention)
    if reply_to:
        reply: dict[str, Any] = {"message_id": reply_to}
        if mentioned:
            reply["user_id"] = mentioned[0]
        segments.append({"type": "reply", "data": reply})
    for user in mentioned:
        segments.append({"type": "mention", "data": {"user_id": user}})
        segments.append({"type": "text", "data": {"text": " "}})
    segments.append({"type": "text", "data": {"text": text}})
    return segments
