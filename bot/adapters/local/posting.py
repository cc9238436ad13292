"""What a post from the page becomes: a neutral Message (segments) or a Command."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from bot.events import Command, Kind, Message, ReplyRef, Segment, Sender

from .state import CHAT
from .uploads import SavedImage

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。！？、]+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|me|io|xyz|top|cc|ly|gg|info|co|"
    r"app|dev|link|site|vip|shop)(?:/[^\s<>\"'，。！？、]*)?",
    re.IGNORECASE,
)

#: What each non-text kind shows when the member types nothing.
DEFAULT_TEXT = {
    "voice": "",
    "sticker": "😀",
    "red_packet": "恭喜发财，大吉大利",
}


def host_of(url: str) -> str:
    raw = url.strip()
    if "://" not in raw:
        raw = "http://" + raw
    try:
        return (urlsplit(raw).hostname or "").lower()
    except ValueError:
        return ""


def text_segments(text: str) -> list[Segment]:
    """The text itself, then one LINK segment (with its host) per URL in it."""
    if not text:
        return []
    out = [Segment(Kind.TEXT, text)]
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        out.append(Segment(Kind.LINK, url, {"host": host_of(url), "source": "text"}))
    return out


def segments_for(kind: str, text: str, *, image: SavedImage | None = None,
                 channel: str = "") -> tuple[Segment, ...]:
    """Segments of one post, in the order the Telegram adapter produces them."""
    if kind == "image":
        if image is None:
            raise ValueError("an image post needs an image")
        return (*text_segments(text), Segment(Kind.IMAGE, "", {
            "path": str(image.path), "file_id": image.file_id}))
    if kind == "voice":
        return (Segment(Kind.VOICE, "", {"duration": "3", "file_id": "local-voice"}),)
    if kind == "sticker":
        emoji = text or DEFAULT_TEXT["sticker"]
        return (Segment(Kind.STICKER, "", {"emoji": emoji, "file_id": "local-sticker"}),)
    if kind == "red_packet":
        return (Segment(Kind.RED_PACKET, text or DEFAULT_TEXT["red_packet"],
                        {"amount": "8.88"}),)
    if kind == "forward":
        return (*text_segments(text),
                Segment(Kind.FORWARD, channel, {"origin": "channel", "name": channel,
                                                "id": ""}))
    return tuple(text_segments(text))


def reply_ref(message_id: str | None, sender_id: str = "", text: str = "") -> ReplyRef | None:
    return ReplyRef(message_id, sender_id, text) if message_id else None


def is_command(kind: str, text: str) -> bool:
    return kind == "text" and text.startswith("/") and len(text) > 1 and not text[1].isspace()


def command_event(text: str, sender: Sender, message_id: str, date: datetime,
                  reply: ReplyRef | None) -> Command:
    """``/warn@bot spam now`` → ``Command(name="warn", args=("spam", "now"))``."""
    head, *args = text[1:].split()
    name = head.split("@", 1)[0].lower()
    return Command(chat=CHAT, sender=sender, date=date, name=name, args=tuple(args),
                   message_id=message_id, reply_to=reply)


def message_event(segments: tuple[Segment, ...], sender: Sender, message_id: str,
                  date: datetime, reply: ReplyRef | None, update_id: str) -> Message:
    return Message(chat=CHAT, message_id=message_id, sender=sender, date=date,
                   segments=segments, reply_to=reply, update_id=update_id)
