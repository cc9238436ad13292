"""Builders for policy tests: a message, a member snapshot, a context and recent-message traces.

They are fixtures returning plain functions, so table-driven tests stay one line per case::

    def test_x(make_message, make_context):
        verdicts = policy.check(make_message("hi"), make_context())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.events import Kind, Message, ReplyRef, Role, Segment, Sender
from bot.policy import ChatInfo, Context, MemberSnapshot, RecentMessage

#: The fixed "now" of every policy test (a Sunday afternoon in Shanghai, outside festivals).
NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
CHAT = "tg:-1001"
USER = "tg:42"

MessageBuilder = Callable[..., Message]
ContextBuilder = Callable[..., Context]
RecentBuilder = Callable[..., RecentMessage]


def build_message(
    text: str = "",
    *,
    kinds: Iterable[Kind] = (),
    segments: Sequence[Segment] = (),
    sender: str = USER,
    role: Role = Role.MEMBER,
    is_bot: bool = False,
    date: datetime | None = None,
    chat: str = CHAT,
    message_id: str = "100",
    album_id: str | None = None,
    via_bot: str = "",
    reply_to: str | None = None,
) -> Message:
    """A message: ``text`` becomes a TEXT segment; ``kinds`` adds bare segments of each kind."""
    parts: list[Segment] = [Segment(Kind.TEXT, text)] if text else []
    parts.extend(Segment(kind) for kind in kinds)
    parts.extend(segments)
    return Message(
        chat=chat,
        message_id=message_id,
        sender=Sender(id=sender, name="someone", role=role, is_bot=is_bot),
        date=date or NOW,
        segments=tuple(parts),
        album_id=album_id,
        via_bot=via_bot,
        reply_to=ReplyRef(reply_to) if reply_to else None,
    )


def build_context(
    *,
    now: datetime = NOW,
    user: str = USER,
    role: Role = Role.MEMBER,
    joined_at: datetime | None = None,
    first_seen: datetime | None = None,
    message_count: int = 50,
    points: float = 0.0,
    approved: bool = False,
    voice_allowed: bool = False,
    recent: Sequence[RecentMessage] = (),
    fingerprint: str = "",
    chat: str = CHAT,
    timezone: str = "Asia/Shanghai",
    topic: str = "",
    extras: Mapping[str, Any] | None = None,
    trusted_domains: frozenset[str] = frozenset(),
) -> Context:
    """A context around one member; by default an ordinary member with 50 earlier messages."""
    member = MemberSnapshot(
        user_id=user,
        role=role,
        joined_at=joined_at,
        first_seen=first_seen,
        message_count=message_count,
        points=points,
        approved=approved,
        voice_allowed=voice_allowed,
    )
    return Context(
        now=now,
        chat=ChatInfo(chat=chat, timezone=timezone, topic=topic),
        member=member,
        recent=tuple(recent),
        fingerprint=fingerprint,
        trusted_domains=trusted_domains,
        extras=dict(extras or {}),
    )


_ids = iter(range(1, 10**9))


def build_recent(
    seconds_ago: float,
    *,
    sender: str = USER,
    fingerprint: str = "",
    kinds: Iterable[Kind] = (Kind.TEXT,),
    album_id: str | None = None,
    now: datetime = NOW,
    message_id: str | None = None,
) -> RecentMessage:
    """A trace of an earlier message sent ``seconds_ago`` before ``now``."""
    return RecentMessage(
        message_id=message_id or str(next(_ids)),
        sender_id=sender,
        date=now - timedelta(seconds=seconds_ago),
        fingerprint=fingerprint,
        kinds=frozenset(kinds),
        album_id=album_id,
    )


@pytest.fixture
def make_message() -> MessageBuilder:
    return build_message


@pytest.fixture
def make_context() -> ContextBuilder:
    return build_context


@pytest.fixture
def make_recent() -> RecentBuilder:
    return build_recent


@pytest.fixture
def now() -> datetime:
    return NOW
