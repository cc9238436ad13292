"""Telegram Desktop chat exports (result.json) as neutral events; unknown shapes are counted."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.events import (
    Command,
    Event,
    Kind,
    MemberJoined,
    MemberLeft,
    Message,
    ReplyRef,
    Segment,
    Sender,
)

MEDIA: Mapping[str, Kind] = {
    "voice_message": Kind.VOICE, "video_message": Kind.VIDEO_NOTE, "sticker": Kind.STICKER,
    "animation": Kind.ANIMATION, "audio_file": Kind.AUDIO, "video_file": Kind.VIDEO,
}
TEXTUAL = frozenset({"plain", "bold", "italic", "underline", "strikethrough", "spoiler", "code",
                     "pre", "blockquote", "hashtag", "cashtag", "bot_command", "phone", "email",
                     "bank_card", "custom_emoji", "unknown"})
JOINS = frozenset({"join_group_by_link", "join_group_by_request", "invite_members"})
LEAVES = frozenset({"remove_members"})
OTHER_SERVICE = frozenset({
    "pin_message", "create_group", "migrate_from_group", "migrate_to_supergroup",
    "edit_group_title", "edit_group_photo", "delete_group_photo", "phone_call", "group_call",
    "invite_to_group_call", "group_call_scheduled", "score_in_game", "set_messages_ttl",
    "topic_created", "topic_edit", "clear_history", "boost_apply", "create_channel",
    "allow_sending_messages", "suggest_profile_photo", "requested_peer", "send_payment",
})


@dataclass
class ExportStats:
    """What was read: messages, joins, other service messages and every unknown shape."""

    messages: int = 0
    commands: int = 0
    joins: int = 0
    leaves: int = 0
    service: Counter[str] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)


def chat_key(export: Mapping[str, Any]) -> str:
    """The qualified chat id: supergroups and channels are ``-100…`` on the Bot API."""
    raw = export.get("id", 0)
    kind = str(export.get("type", ""))
    if "supergroup" in kind or "channel" in kind:
        return f"tg:-100{raw}"
    return f"tg:-{raw}" if "group" in kind else f"tg:{raw}"


def peer_id(raw: Any) -> tuple[str, bool]:
    """``user123`` → ``tg:123``; ``channel123`` → ``tg:-100123`` (posting as a channel)."""
    text = str(raw or "")
    if text.startswith("user"):
        return f"tg:{text[4:]}", False
    if text.startswith("channel"):
        return f"tg:-100{text[7:]}", True
    if text.startswith("chat"):
        return f"tg:-{text[4:]}", True
    return (f"tg:{text}", False) if text.lstrip("-").isdigit() else ("", False)


def when(raw: Mapping[str, Any]) -> datetime:
    """The export's timestamp: ``date_unixtime`` (UTC) when present, else ``date`` as UTC."""
    unix = raw.get("date_unixtime")
    if unix is not None:
        return datetime.fromtimestamp(int(unix), UTC)
    return datetime.fromisoformat(str(raw["date"])).replace(tzinfo=UTC)


def _host(url: str) -> str:
    return (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()


def text_segments(text: Any, stats: ExportStats) -> list[Segment]:
    """``text`` as a plain string or a list of strings and entity parts."""
    if isinstance(text, str):
        return [Segment(Kind.TEXT, text)] if text else []
    plain: list[str] = []
    extra: list[Segment] = []
    for part in text if isinstance(text, list) else []:
        if isinstance(part, str):
            plain.append(part)
            continue
        if not isinstance(part, dict):
            stats.unknown["text_part:not_an_object"] += 1
            continue
        kind, value = str(part.get("type", "")), str(part.get("text", ""))
        plain.append(value)
        if kind == "link":
            extra.append(Segment(Kind.LINK, value, {"host": _host(value)}))
        elif kind == "text_link":
            href = str(part.get("href", ""))
            extra.append(Segment(Kind.LINK, href, {"host": _host(href), "label": value}))
        elif kind in ("mention", "mention_name"):
            data = {"user_id": f"tg:{part['user_id']}"} if "user_id" in part else {}
            extra.append(Segment(Kind.MENTION, value, data))
        elif kind not in TEXTUAL:
            stats.unknown[f"entity:{kind}"] += 1
    joined = "".join(plain)
    return ([Segment(Kind.TEXT, joined)] if joined else []) + extra


def media_segments(raw: Mapping[str, Any], stats: ExportStats) -> list[Segment]:
    segments: list[Segment] = []
    if raw.get("forwarded_from") is not None or raw.get("forwarded_from_id"):
        name = str(raw.get("forwarded_from") or "")
        origin, is_channel = peer_id(raw.get("forwarded_from_id"))
        segments.append(Segment(Kind.FORWARD, name, {
            "origin": "channel" if is_channel else ("user" if origin else "hidden"),
            "name": name, "id": origin}))
    if "photo" in raw:
        segments.append(Segment(Kind.IMAGE, "", {"file_id": str(raw["photo"])}))
    media_type = raw.get("media_type")
    if media_type is not None:
        kind = MEDIA.get(str(media_type))
        if kind is None:
            stats.unknown[f"media_type:{media_type}"] += 1
            kind = Kind.UNKNOWN
        segments.append(Segment(kind, str(raw.get("sticker_emoji", "")),
                                {"file_id": str(raw.get("file", "")),
                                 "mime_type": str(raw.get("mime_type", ""))}))
    elif "file" in raw:
        segments.append(Segment(Kind.FILE, str(raw.get("file_name", "")),
                                {"file_id": str(raw["file"]),
                                 "mime_type": str(raw.get("mime_type", ""))}))
    for key, kind in (("contact_information", Kind.CONTACT), ("location_information",
                                                              Kind.LOCATION),
                      ("poll", Kind.POLL), ("dice", Kind.DICE)):
        if key in raw:
            segments.append(Segment(kind, "", {}))
    for row in raw.get("inline_bot_buttons") or ():
        for button in row if isinstance(row, list) else ():
            url = str(button.get("data", "")) if isinstance(button, dict) else ""
            if url.startswith("http"):
                segments.append(Segment(Kind.BUTTON, str(button.get("text", "")),
                                        {"url": url, "host": _host(url)}))
    return segments


#: Album items are photos, videos and documents (no stickers, voice or round videos); items
#: at most this far apart; at most this many.
ALBUM_FILES = (None, "video_file")
ALBUM_GAP = timedelta(seconds=1)
ALBUM_MAX = 10


class TelegramExport:
    """Iterates a result.json as neutral events in file order, collecting stats."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        chats = data.get("chats")
        if isinstance(chats, dict) and "messages" not in data:  # a full-account export
            data = next((c for c in chats.get("list", ()) if c.get("messages")), {})
        self.data = data
        self.chat = chat_key(data)
        self.stats = ExportStats()
        self._senders: dict[str, str] = {}
        #: The album run being read: sender, last date, album id, items so far.
        self._album: tuple[str, datetime, str, int] | None = None

    @classmethod
    def read(cls, path: str | Path) -> TelegramExport:
        file = Path(path)
        if file.is_dir():
            file = file / "result.json"
        return cls(json.loads(file.read_text(encoding="utf-8")))

    def events(self) -> Iterator[Event]:
        for raw in self.data.get("messages", ()):
            try:
                yield from self._one(raw)
            except (KeyError, ValueError, TypeError) as exc:
                self.stats.unknown[f"malformed:{type(exc).__name__}"] += 1

    def _one(self, raw: Mapping[str, Any]) -> Iterator[Event]:
        kind = raw.get("type")
        if kind == "service":
            yield from self._service(raw)
        elif kind == "message":
            yield self._message(raw)
        else:
            self.stats.unknown[f"type:{kind}"] += 1

    def _sender(self, raw: Mapping[str, Any], key: str = "from") -> Sender:
        user, is_channel = peer_id(raw.get(f"{key}_id"))
        if not user:
            raise KeyError(f"{key}_id")
        name = str(raw.get(key) or "")
        if name:
            self.stats.names[user] = name
        return Sender(user, name, is_channel=is_channel)

    def _message(self, raw: Mapping[str, Any]) -> Message | Command:
        sender = self._sender(raw)
        date = when(raw)
        message_id = str(raw["id"])
        segments = text_segments(raw.get("text", ""), self.stats) + media_segments(raw,
                                                                                   self.stats)
        text = segments[0].text if segments and segments[0].kind is Kind.TEXT else ""
        self._senders[message_id] = sender.id
        reply = None
        if raw.get("reply_to_message_id") is not None:
            ref = str(raw["reply_to_message_id"])
            reply = ReplyRef(ref, self._senders.get(ref, ""))
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            head, *rest = text[1:].split()
            self.stats.commands += 1
            return Command(self.chat, sender, date, head.split("@")[0].lower(), tuple(rest),
                           message_id, reply)
        self.stats.messages += 1
        album = str(raw["media_group_id"]) if raw.get("media_group_id") else None
        return Message(self.chat, message_id, sender, date, tuple(segments), reply_to=reply,
                       via_bot=str(raw.get("via_bot", "")).lstrip("@"),
                       album_id=album or self._inferred_album(message_id, sender, date, raw))

    def _inferred_album(self, message_id: str, sender: Sender, date: datetime,
                        raw: Mapping[str, Any]) -> str | None:
        """Desktop exports drop ``media_group_id``: an album's photos, videos or files are sent
        together, so a run of them from one sender at most a second apart (ten at most, as
        Telegram allows) is taken for one album and counted once, as the live bot would."""
        if not (raw.get("photo") or (raw.get("file") and raw.get("media_type") in ALBUM_FILES)):
            self._album = None
            return None
        run = self._album
        if (run is not None and run[0] == sender.id and date - run[1] <= ALBUM_GAP
                and run[3] < ALBUM_MAX):
            self._album = (sender.id, date, run[2], run[3] + 1)
        else:
            self._album = (sender.id, date, f"inferred:{message_id}", 1)
        return self._album[2]

    def _service(self, raw: Mapping[str, Any]) -> Iterator[Event]:
        action = str(raw.get("action", ""))
        date = when(raw)
        if action in JOINS:
            actor = self._sender(raw, "actor")
            members = [str(m) for m in raw.get("members") or () if m]
            self.stats.joins += max(1, len(members))
            if action != "invite_members" or not members or members == [actor.name]:
                yield MemberJoined(self.chat, actor, date, message_id=str(raw.get("id", "")))
            return
        if action in LEAVES:
            actor = self._sender(raw, "actor")
            members = [str(m) for m in raw.get("members") or () if m]
            self.stats.leaves += max(1, len(members))
            if members == [actor.name]:
                yield MemberLeft(self.chat, actor, date, message_id=str(raw.get("id", "")))
            return
        if action in OTHER_SERVICE:
            self.stats.service[action] += 1
        else:
            self.stats.unknown[f"service:{action}"] += 1
