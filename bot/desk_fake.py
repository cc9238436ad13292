"""An in-memory Desk for the web adapter's tests: fixed chats, a log, a queue; records actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from bot.desk import (
    ChatCard,
    CheckinBoard,
    Cohort,
    ConfigView,
    DayPoint,
    Done,
    LogFilter,
    LogItem,
    LogPage,
    MemberLine,
    MemberPage,
    Overview,
    Viewer,
    Waiting,
    Waitlist,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@dataclass
class FakeDesk:
    """``moderators`` maps a chat to the users who moderate it; ``done`` records actions."""

    chats_: list[ChatCard] = field(default_factory=list)
    moderators: dict[str, set[str]] = field(default_factory=dict)
    log: dict[int, LogItem] = field(default_factory=dict)
    queue: dict[str, list[Waiting]] = field(default_factory=dict)
    done: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add_chat(self, chat: str, title: str, *moderators: str, network: str = "") -> None:
        self.chats_.append(ChatCard(chat, title, chat.split(":")[0], network, 10))
        self.moderators[chat] = set(moderators)

    async def chats(self, viewer: Viewer) -> list[ChatCard]:
        return [c for c in self.chats_ if await self.may_moderate(viewer, c.chat)]

    async def may_moderate(self, viewer: Viewer, chat: str) -> bool:
        return viewer.user in self.moderators.get(chat, set())

    async def overview(self, chats: Sequence[str], days: int = 30) -> Overview:
        start = NOW.date() - timedelta(days=days - 1)
        points = tuple(DayPoint(start + timedelta(days=i), messages=10 * len(chats), active=3)
                       for i in range(days))
        return Overview(tuple(chats), points, tuple(range(24)), members=40, active_7d=12,
                        retention=(Cohort(7, 4, 3), Cohort(30, 0, 0)))

    async def members(self, chat: str, query: str = "", offset: int = 0,
                      limit: int = 50) -> MemberPage:
        lines = [MemberLine(f"{chat}:u{i}", f"Member {i}", points=float(i)) for i in range(3)]
        found = [m for m in lines if query.lower() in m.name.lower()]
        return MemberPage(tuple(found[offset:offset + limit]), len(found), query, offset)

    async def checkins(self, chat: str) -> CheckinBoard:
        return CheckinBoard(21, 1, (), (DayPoint(date(2026, 12, 6), messages=1),))

    async def moderation(self, chat: str, where: LogFilter) -> LogPage:
        items = tuple(sorted((i for i in self.log.values() if i.chat == chat),
                             key=lambda i: -i.id))
        return LogPage(items, (), {"delete": len(items)})

    async def undo(self, viewer: Viewer, chat: str, entry: int, lang: str) -> Done:
        self.done.append(("undo", viewer.user, chat, str(entry)))
        self.log[entry] = replace(self.log[entry], undone_by=viewer.user)
        return Done(True, f"#{entry} undone")

    async def keep(self, viewer: Viewer, chat: str, entry: int, lang: str) -> Done:
        self.done.append(("keep", viewer.user, chat, str(entry)))
        self.log[entry] = replace(self.log[entry], kept_by=viewer.user)
        return Done(True, f"#{entry} kept")

    async def waitlist(self, chat: str) -> Waitlist:
        return Waitlist(100, 99, tuple(self.queue.get(chat, [])))

    async def admit(self, viewer: Viewer, chat: str, user: str, lang: str) -> Done:
        self.done.append(("admit", viewer.user, chat, user))
        return Done(True, f"{user} approved")

    async def skip(self, viewer: Viewer, chat: str, user: str, lang: str) -> Done:
        self.done.append(("skip", viewer.user, chat, user))
        return Done(True, f"{user} declined")

    async def config(self, chat: str) -> ConfigView:
        return ConfigView("default", "language: en\n", "config.yaml", True)

    async def export(self, chat: str, table: str) -> tuple[list[str], list[list[str]]]:
        return ["user", "name"], [[f"{chat}:u1", "Lin, \"the\" first"], [f"{chat}:u2", "林"]]
