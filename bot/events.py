"""Frozen, platform-neutral events: what adapters produce and everything else consumes.

Identifiers are strings qualified by platform (``"tg:-1001234"``, ``"qq:123456"``,
``"wx:123@chatroom"``, ``"local:lobby"``) so that chats and users of different platforms never
collide in storage or config. Message ids are the platform's own, unique within their chat.
All times are timezone-aware UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum


def qualify(platform: str, raw_id: str | int) -> str:
    """Return the qualified id ``platform:raw``."""
    return f"{platform}:{raw_id}"


PRIVATE = "private:"


def direct_chat(user: str) -> str:
    """A member's private chat with the bot, ``platform:private:raw``. Every gateway reads it;
    a bare user id is not a chat to send to (on QQ a user's number may be a group's too)."""
    platform, raw = split_id(user)
    return user if raw.startswith(PRIVATE) else f"{platform}:{PRIVATE}{raw}"


def split_id(qualified: str) -> tuple[str, str]:
    """Split ``platform:raw`` into its two parts; raises ValueError if unqualified."""
    platform, sep, raw = qualified.partition(":")
    if not sep or not platform or not raw:
        raise ValueError(f"not a qualified id: {qualified!r}")
    return platform, raw


class Kind(StrEnum):
    """The kind of one message segment."""

    TEXT = "text"
    LINK = "link"
    MENTION = "mention"
    IMAGE = "image"
    VOICE = "voice"
    VIDEO_NOTE = "video_note"
    AUDIO = "audio"
    VIDEO = "video"
    STICKER = "sticker"
    ANIMATION = "animation"
    FILE = "file"
    CONTACT = "contact"
    LOCATION = "location"
    POLL = "poll"
    DICE = "dice"
    RED_PACKET = "red_packet"
    CARD = "card"
    FORWARD = "forward"
    BUTTON = "button"
    UNKNOWN = "unknown"


class Role(IntEnum):
    """A member's standing in a chat; comparable (``role >= Role.MODERATOR``)."""

    MEMBER = 0
    MODERATOR = 1
    ADMIN = 2
    OWNER = 3

    @property
    def label(self) -> str:
        return self.name.lower()


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Lone surrogates (valid as JSON escapes, invalid as text) become U+FFFD, so that every
    policy, the database and the platform can encode what a member sent: a broken character
    must not switch moderation off for the message it hides in."""
    return _SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of a message.

    ``text`` is the human-visible text (for LINK: the URL; MENTION: ``@name``); ``data`` holds
    kind-specific details (``host``, ``file_id``, ``origin`` = user/chat/channel/hidden, …).
    """

    kind: Kind
    text: str = ""
    data: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if _SURROGATE.search(self.text):
            object.__setattr__(self, "text", valid_text(self.text))


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent something. ``is_channel``: posting as a channel (``sender_chat``)."""

    id: str
    name: str = ""
    username: str = ""
    role: Role = Role.MEMBER
    is_bot: bool = False
    is_channel: bool = False
    is_anonymous_admin: bool = False

    def __post_init__(self) -> None:
        if _SURROGATE.search(self.name):
            object.__setattr__(self, "name", valid_text(self.name))


@dataclass(frozen=True, slots=True)
class ReplyRef:
    """The message a message replies to."""

    message_id: str
    sender_id: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """A chat message, new or edited."""

    chat: str
    message_id: str
    sender: Sender
    date: datetime
    segments: tuple[Segment, ...] = ()
    reply_to: ReplyRef | None = None
    thread_id: str | None = None
    album_id: str | None = None
    edited: bool = False
    via_bot: str = ""
    is_private: bool = False
    update_id: str = ""
    #: ``text``, joined once: every policy and hook reads it
    _text: str = field(default="", init=False, repr=False, compare=False)
    _kinds: frozenset[Kind] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_text", "\n".join(
            s.text for s in self.segments if s.kind in _TEXTUAL and s.text))
        object.__setattr__(self, "_kinds", frozenset(s.kind for s in self.segments))

    @property
    def text(self) -> str:
        """All text-bearing segments joined by newlines (text, captions, links, mentions)."""
        return self._text

    @property
    def kinds(self) -> frozenset[Kind]:
        """The kinds of the segments (computed once: every policy asks)."""
        return self._kinds

    def of(self, kind: Kind) -> tuple[Segment, ...]:
        if kind not in self._kinds:  # most messages are one text segment
            return ()
        return tuple(s for s in self.segments if s.kind is kind)


_TEXTUAL = frozenset({Kind.TEXT})


@dataclass(frozen=True, slots=True)
class MemberJoined:
    """A member joined the chat (directly, by invite, or after an approved request)."""

    chat: str
    user: Sender
    date: datetime
    invited_by: str = ""
    message_id: str = ""


@dataclass(frozen=True, slots=True)
class MemberLeft:
    """A member left or was removed (``removed_by`` set)."""

    chat: str
    user: Sender
    date: datetime
    removed_by: str = ""
    message_id: str = ""


@dataclass(frozen=True, slots=True)
class JoinRequest:
    """A request to join; ``ref`` is what the platform needs to answer it (OneBot ``flag``)."""

    chat: str
    user: Sender
    date: datetime
    ref: str = ""
    bio: str = ""


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: ``/warn spam`` → name ``warn``, args ``("spam",)``."""

    chat: str
    sender: Sender
    date: datetime
    name: str
    args: tuple[str, ...] = ()
    message_id: str = ""
    reply_to: ReplyRef | None = None
    thread_id: str | None = None
    is_private: bool = False
    mentions: tuple[Sender, ...] = ()


@dataclass(frozen=True, slots=True)
class Reaction:
    """Reactions on a message changed."""

    chat: str
    message_id: str
    user_id: str
    date: datetime
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """An inline button was pressed; ``data`` is the callback payload we put on it."""

    chat: str
    user: Sender
    date: datetime
    data: str
    message_id: str = ""
    query_id: str = ""


@dataclass(frozen=True, slots=True)
class BotMembership:
    """The bot itself was added to, promoted in, demoted in or removed from a chat."""

    chat: str
    date: datetime
    status: str  # "member" | "admin" | "left" | "kicked"
    by: Sender | None = None
    rights: frozenset[str] = frozenset()
    chat_type: str = "group"
    chat_title: str = ""


@dataclass(frozen=True, slots=True)
class ChatMigrated:
    """A group became a supergroup: every row of ``old_chat`` moves to ``new_chat``."""

    old_chat: str
    new_chat: str
    date: datetime


Event = (
    Message
    | MemberJoined
    | MemberLeft
    | JoinRequest
    | Command
    | Reaction
    | ButtonPress
    | BotMembership
    | ChatMigrated
)

__all__ = [
    "BotMembership",
    "ButtonPress",
    "ChatMigrated",
    "Command",
    "Event",
    "JoinRequest",
    "Kind",
    "MemberJoined",
    "MemberLeft",
    "Message",
    "Reaction",
    "ReplyRef",
    "Role",
    "Segment",
    "Sender",
    "qualify",
    "split_id",
]
