"""The Policy protocol and the read-only context a policy judges a message in."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from bot.events import Kind, Message, Role
from bot.i18n import Text
from bot.verdict import Verdict


class PolicyOptions(BaseModel):
    """Base of every policy's options model: unknown keys are errors, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """A symbol a policy can emit, with its default score and a bilingual description."""

    name: str
    score: float
    description: Text


def symbol_table(*rows: tuple[str, float, str, str]) -> Mapping[str, SymbolInfo]:
    """A policy's symbols from ``(name, default score, English, Chinese)`` rows, in order."""
    return {name: SymbolInfo(name, score, Text(en, zh)) for name, score, en, zh in rows}


@dataclass(frozen=True, slots=True)
class MemberSnapshot:
    """What storage knows of the sender, read once before the pipeline runs."""

    user_id: str
    role: Role = Role.MEMBER
    joined_at: datetime | None = None
    first_seen: datetime | None = None
    message_count: int = 0
    warns_active: int = 0
    points: float = 0.0
    approved: bool = False
    voice_allowed: bool = False


#: A member's join is traced in the history as a RecentMessage with no kinds and a fingerprint
#: ``JOIN_MARK + user id`` (greeting-flood checks look for it).
JOIN_MARK = "join:"


@dataclass(frozen=True, slots=True)
class RecentMessage:
    """A compact trace of an earlier message in the same chat, kept in memory."""

    message_id: str
    sender_id: str
    date: datetime
    fingerprint: str
    kinds: frozenset[Kind]
    album_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """Per-chat facts a policy may need (language, timezone, topic, staff contact)."""

    chat: str
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    topic: str = ""
    network: str = ""
    member_count: int | None = None


@dataclass(frozen=True, slots=True)
class Repetition:
    """Earlier posts of this message's long text (near-duplicates), within a bounded window.

    Filled by the handler from the chat's learned state before the pipeline runs; zero when
    the text is too short to fingerprint or was never seen before.
    """

    by_sender: int = 0  # earlier posts of it by this member
    sender_days: int = 0  # distinct days among those (a syllabus posted day after day)
    by_others: int = 0  # distinct other members who posted it
    chats: int = 0  # distinct other chats (of the network) where it was posted


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a policy may read. Nothing in here performs I/O."""

    now: datetime
    chat: ChatInfo
    member: MemberSnapshot
    recent: Sequence[RecentMessage] = ()
    fingerprint: str = ""
    #: Near-duplicates of this message's text seen before (learned, per chat and network).
    repetition: Repetition = Repetition()
    #: Domains this chat has learned to trust (posted by established members, never moderated).
    trusted_domains: frozenset[str] = frozenset()
    extras: Mapping[str, Any] = field(default_factory=dict)


#: Read once: an enum member read from its class costs more than the comparison.
_MODERATOR = Role.MODERATOR


def staff_involved(message: Message, ctx: Context) -> bool:
    """The member (as the chat knows them) or the sender (as the platform shows them, e.g. an
    anonymous admin) is a moderator or above: what every ``exempt_staff`` option asks."""
    return ctx.member.role >= _MODERATOR or message.sender.role >= _MODERATOR


@runtime_checkable
class Policy(Protocol):
    """A rule family. ``check`` says what it saw; it never acts and never does I/O.

    ``check`` may return verdicts directly or an awaitable of them (a policy that needs to
    decode an image); the pipeline bounds awaitables with a timeout.
    """

    name: ClassVar[str]
    Options: ClassVar[type[PolicyOptions]]
    symbols: ClassVar[Mapping[str, SymbolInfo]]

    def check(
        self, message: Message, ctx: Context
    ) -> Iterable[Verdict] | Awaitable[Iterable[Verdict]]: ...


class PolicyFactory(Protocol):
    """What the registry holds: a class built from its validated options."""

    name: ClassVar[str]
    Options: ClassVar[type[PolicyOptions]]
    symbols: ClassVar[Mapping[str, SymbolInfo]]

    def __call__(self, options: Any) -> Policy: ...
