"""The dashboard's port: what the owner's web desk may read and do, in neutral view types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: a qualified user id (``tg:42``); ``owner`` is the playground's owner."""

    user: str
    name: str = ""
    owner: bool = False


@dataclass(frozen=True, slots=True)
class ChatCard:
    """One chat the viewer moderates, as listed on the dashboard's front page."""

    chat: str
    title: str
    platform: str
    network: str = ""
    members: int | None = None


@dataclass(frozen=True, slots=True)
class DayPoint:
    """One local day of a chat (or of several chats summed)."""

    day: date
    messages: int = 0
    active: int = 0
    joins: int = 0
    leaves: int = 0


@dataclass(frozen=True, slots=True)
class Cohort:
    """Members who joined in a window and how many of them were still there ``days`` later."""

    days: int
    joined: int
    stayed: int

    @property
    def rate(self) -> float | None:
        return self.stayed / self.joined if self.joined else None


@dataclass(frozen=True, slots=True)
class Overview:
    """A chat's (or network's) last ``len(days)`` days, busiest hours and newcomer retention."""

    chats: tuple[str, ...]
    days: tuple[DayPoint, ...]
    hours: tuple[int, ...]  # 24 message counts by local hour of day
    members: int
    active_7d: int
    retention: tuple[Cohort, ...] = ()


@dataclass(frozen=True, slots=True)
class MemberLine:
    """One member on the members page (and in its CSV)."""

    user: str
    name: str
    username: str = ""
    standing: str = ""  # "newcomer" / "member" / "established" / "moderator" / "left"
    points: float = 0.0
    streak: int = 0
    warns: int = 0
    messages: int = 0
    joined_at: datetime | None = None
    last_seen: datetime | None = None
    review: bool = False  # a roster-review candidate (inactive, unprotected)


@dataclass(frozen=True, slots=True)
class MemberPage:
    lines: tuple[MemberLine, ...]
    total: int
    query: str = ""
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ChallengeLine:
    """A member's check-in run against the chat's challenge (``goal`` days in a row)."""

    user: str
    name: str
    streak: int
    best: int
    total: int
    last_day: date | None
    completed: bool


@dataclass(frozen=True, slots=True)
class CheckinBoard:
    goal: int
    today: int  # members checked in today
    lines: tuple[ChallengeLine, ...]
    days: tuple[DayPoint, ...] = ()  # check-ins per day in ``messages``


@dataclass(frozen=True, slots=True)
class LogFilter:
    action: str = ""  # an Action name, "" for all
    symbol: str = ""
    user: str = ""
    shadow: bool | None = None  # True: only observe-mode entries
    limit: int = 50
    before: int | None = None  # an entry id: page backwards


@dataclass(frozen=True, slots=True)
class LogItem:
    """A moderation-log entry with everything needed to judge it: full text and symbols."""

    id: int
    chat: str
    user: str
    name: str
    action: str
    created_at: datetime
    actor: str
    score: float
    symbols: Mapping[str, float]
    reason: str
    text: str
    observe: bool = False
    shadow_action: str = ""  # observe mode: what would have happened
    outcome: str = ""
    undone_by: str = ""
    kept_by: str = ""
    reversible: bool = False
    appealed: bool = False


@dataclass(frozen=True, slots=True)
class LogPage:
    items: tuple[LogItem, ...]
    appeals: tuple[LogItem, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)  # action -> entries in view
    more: int | None = None  # the ``before`` id of the next page, if any


@dataclass(frozen=True, slots=True)
class Waiting:
    user: str
    name: str
    ref: str
    since: datetime
    position: int


@dataclass(frozen=True, slots=True)
class Waitlist:
    capacity: int | None  # None: no capacity limit configured
    occupied: int | None
    queue: tuple[Waiting, ...]


@dataclass(frozen=True, slots=True)
class ConfigView:
    """The effective profile of a chat as YAML, and whether the file on disk still loads."""

    profile: str
    yaml: str
    source: str
    valid: bool
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Done:
    """The result of a desk action, already in the viewer's language."""

    ok: bool
    message: str


class Desk(Protocol):
    """The use-cases behind the dashboard (the handlers implement it; the web adapter calls it).

    Every method that takes a chat is called only after ``may_moderate`` said yes for it
    in the same request; the desk re-checks rights on actions all the same.
    """

    async def chats(self, viewer: Viewer) -> list[ChatCard]: ...

    async def may_moderate(self, viewer: Viewer, chat: str) -> bool: ...

    async def overview(self, chats: Sequence[str], days: int = 30) -> Overview: ...

    async def members(self, chat: str, query: str = "", offset: int = 0,
                      limit: int = 50) -> MemberPage: ...

    async def checkins(self, chat: str) -> CheckinBoard: ...

    async def moderation(self, chat: str, where: LogFilter) -> LogPage: ...

    async def undo(self, viewer: Viewer, chat: str, entry: int, lang: str) -> Done: ...

    async def keep(self, viewer: Viewer, chat: str, entry: int, lang: str) -> Done: ...

    async def waitlist(self, chat: str) -> Waitlist: ...

    async def admit(self, viewer: Viewer, chat: str, user: str, lang: str) -> Done: ...

    async def skip(self, viewer: Viewer, chat: str, user: str, lang: str) -> Done: ...

    async def config(self, chat: str) -> ConfigView: ...

    async def export(self, chat: str, table: str) -> tuple[list[str], list[list[str]]]:
        """``members`` / ``points`` / ``log``: a header and rows for CSV."""
        ...

