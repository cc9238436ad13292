"""A Telegram message's content as neutral segments: text, entities, media, forwards, buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from telegram import (
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    PhotoSize,
)

from bot.events import Kind, Segment

PLATFORM = "tg"


def host_of(url: str) -> str:
    """The lower-cased host of a URL, scheme optional (``t.me/x`` → ``t.me``)."""
    raw = url.strip()
    if "://" not in raw:
        raw = "http://" + raw
    try:
        return (urlsplit(raw).hostname or "").lower()
    except ValueError:
        return ""


def _file(kind: Kind, media: object, **extra: str) -> Segment:
    data = {
        "file_id": str(getattr(media, "file_id", "")),
        "file_unique_id": str(getattr(media, "file_unique_id", "")),
        "file_size": str(getattr(media, "file_size", None) or ""),
    }
    duration = getattr(media, "_duration", None)  # PTB keeps a timedelta; the public
    if isinstance(duration, timedelta):  # attribute warns about its future type
        data["duration"] = str(int(duration.total_seconds()))
    elif isinstance(duration, int):
        data["duration"] = str(duration)
    for key in ("width", "height", "mime_type", "file_name", "emoji", "set_name"):
        value = getattr(media, key, None)
        if value is not None:
            data[key] = str(value)
    data.update(extra)
    return Segment(kind, "", data)


def _entities(parsed: dict[MessageEntity, str]) -> list[Segment]:
    out: list[Segment] = []
    for entity, text in parsed.items():
        kind = entity.type
        if kind == MessageEntity.URL:
            out.append(Segment(Kind.LINK, text, {"host": host_of(text), "source": "entity"}))
        elif kind == MessageEntity.TEXT_LINK and entity.url:
            out.append(Segment(Kind.LINK, entity.url,
                               {"host": host_of(entity.url), "source": "text_link",
                                "label": text}))
        elif kind == MessageEntity.MENTION:
            out.append(Segment(Kind.MENTION, text, {"username": text.lstrip("@")}))
        elif kind == MessageEntity.TEXT_MENTION and entity.user:
            out.append(Segment(Kind.MENTION, text,
                               {"user_id": f"{PLATFORM}:{entity.user.id}",
                                "username": entity.user.username or ""}))
        elif kind == MessageEntity.PHONE_NUMBER:
            out.append(Segment(Kind.CONTACT, text, {"phone": text}))
        elif kind == MessageEntity.EMAIL:
            out.append(Segment(Kind.CONTACT, text, {"email": text}))
    return out


def _photo(sizes: tuple[PhotoSize, ...]) -> Segment:
    best = max(sizes, key=lambda p: p.width * p.height)
    return Segment(Kind.IMAGE, "", {
        "file_id": best.file_id,
        "file_unique_id": best.file_unique_id,
        "width": str(best.width),
        "height": str(best.height),
        "file_size": str(best.file_size or ""),
    })


def forward_segment(origin: MessageOrigin) -> Segment:
    """``origin`` is user / hidden / chat / channel, with the origin's name and qualified id."""
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        return Segment(Kind.FORWARD, user.full_name, {
            "origin": "user", "name": user.full_name, "id": f"{PLATFORM}:{user.id}",
            "username": user.username or "", "is_bot": str(user.is_bot).lower()})
    if isinstance(origin, MessageOriginHiddenUser):
        return Segment(Kind.FORWARD, origin.sender_user_name,
                       {"origin": "hidden", "name": origin.sender_user_name, "id": ""})
    if isinstance(origin, MessageOriginChannel):
        chat = origin.chat
        return Segment(Kind.FORWARD, chat.title or "", {
            "origin": "channel", "name": chat.title or "", "id": f"{PLATFORM}:{chat.id}",
            "username": chat.username or "", "message_id": str(origin.message_id)})
    if isinstance(origin, MessageOriginChat):
        chat = origin.sender_chat
        return Segment(Kind.FORWARD, chat.title or "", {
            "origin": "chat", "name": chat.title or "", "id": f"{PLATFORM}:{chat.id}",
            "username": chat.username or ""})
    return Segment(Kind.FORWARD, "", {"origin": "hidden", "name": "", "id": ""})


def _buttons(markup: InlineKeyboardMarkup) -> list[Segment]:
    links: list[Segment] = []
    buttons: list[Segment] = []
    for row in markup.inline_keyboard:
        for button in row:
            if button.url:
                links.append(Segment(Kind.LINK, button.url,
                                     {"host": host_of(button.url), "source": "button"}))
                buttons.append(Segment(Kind.BUTTON, button.text, {"url": button.url}))
            else:
                buttons.append(Segment(Kind.BUTTON, button.text, {}))
    return links + buttons


def parsed_entities(parse: Callable[[], dict[MessageEntity, str]]) -> dict[MessageEntity, str]:
    """Entities with their text; none when the text cannot be measured in UTF-16 (a lone
    surrogate, which only a forged update carries): the text itself is still checked."""
    try:
        return parse()
    except UnicodeError:
        return {}


def message_segments(msg: Message) -> tuple[Segment, ...]:
    """Every segment of ``msg`` in a stable order; empty for service messages."""
    out: list[Segment] = []
    if msg.text:
        out.append(Segment(Kind.TEXT, msg.text))
        if msg.entities:
            out.extend(_entities(parsed_entities(msg.parse_entities)))
    elif msg.caption:
        out.append(Segment(Kind.TEXT, msg.caption))
        if msg.caption_entities:
            out.extend(_entities(parsed_entities(msg.parse_caption_entities)))
    if msg.photo:
        out.append(_photo(msg.photo))
    if msg.voice:
        out.append(_file(Kind.VOICE, msg.voice))
    if msg.video_note:
        out.append(_file(Kind.VIDEO_NOTE, msg.video_note))
    if msg.audio:
        out.append(_file(Kind.AUDIO, msg.audio))
    if msg.video:
        out.append(_file(Kind.VIDEO, msg.video))
    if msg.sticker:
        out.append(_file(Kind.STICKER, msg.sticker, type=msg.sticker.type))
    if msg.animation:
        out.append(_file(Kind.ANIMATION, msg.animation))
    elif msg.document:
        out.append(_file(Kind.FILE, msg.document))
    if msg.contact:
        c = msg.contact
        data = {"phone": c.phone_number, "name": f"{c.first_name} {c.last_name or ''}".strip()}
        if c.user_id:
            data["user_id"] = f"{PLATFORM}:{c.user_id}"
        out.append(Segment(Kind.CONTACT, c.phone_number, data))
    if msg.location:
        loc = msg.location
        data = {"latitude": str(loc.latitude), "longitude": str(loc.longitude)}
        if msg.venue:
            data.update(title=msg.venue.title, address=msg.venue.address)
        out.append(Segment(Kind.LOCATION, msg.venue.title if msg.venue else "", data))
    if msg.poll:
        poll = msg.poll
        out.append(Segment(Kind.POLL, poll.question, {
            "options": "\n".join(o.text for o in poll.options), "type": poll.type}))
    if msg.dice:
        out.append(Segment(Kind.DICE, msg.dice.emoji, {"value": str(msg.dice.value)}))
    if msg.forward_origin:
        out.append(forward_segment(msg.forward_origin))
    if isinstance(msg.reply_markup, InlineKeyboardMarkup):
        out.extend(_buttons(msg.reply_markup))
    if not out and msg.effective_attachment is not None:
        out.append(Segment(Kind.UNKNOWN, "",
                           {"type": type(msg.effective_attachment).__name__}))
    return tuple(out)
