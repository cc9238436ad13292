"""Shared plumbing of the community features: options per chat, local days, replies, names."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.events import Command, Sender, direct_chat, split_id
from bot.gateway import Button, ChatGateway
from bot.i18n import Text
from bot.scheduler import Scheduler
from handlers.community.buffer import PointsBuffer
from handlers.community.config import Community, CommunityBook
from storage.members import MemberRepo

if TYPE_CHECKING:
    from handlers.services import Services


@dataclass
class Hub:
    """What the community modules share: the options book and the scheduler."""

    services: Services
    book: CommunityBook
    scheduler: Scheduler
    gateways_hint: dict[str, ChatGateway] = field(default_factory=dict)
    seen: OrderedDict[tuple[str, str], str] = field(default_factory=OrderedDict)
    points: PointsBuffer = field(init=False)

    def __post_init__(self) -> None:
        self.points = PointsBuffer(self.services.db)

    async def flush_points(self) -> int:
        """Write pending contribution points (before reading totals, and on every flush)."""
        return await self.points.flush()

    def remember(self, chat: str, sender: Sender, limit: int = 20_000) -> None:
        """Keep a display name seen in a message or command (storage catches up in batches)."""
        name = sender.name or (f"@{sender.username}" if sender.username else "")
        if name:
            self.seen[(chat, sender.id)] = name
            self.seen.move_to_end((chat, sender.id))
            if len(self.seen) > limit:
                self.seen.popitem(last=False)

    def options(self, chat: str) -> Community:
        return self.book.of_profile(self.services.book.get(chat).profile)

    def network_chats(self, chat: str) -> list[str]:
        """The chats whose contributions count together with ``chat``'s (its network)."""
        from bot.config import normalise_chat_key

        name = self.services.book.network_of(chat)
        network = self.services.book.config.app.networks.get(name) if name else None
        if network is None:
            return [chat]
        return list(dict.fromkeys(self.current(normalise_chat_key(c)) for c in network.chats))

    def inactive(self) -> set[str]:
        """Chats the bot was removed from (``extras["inactive_chats"]``, kept by membership)."""
        found: set[str] = self.services.extras.setdefault("inactive_chats", set())
        return found

    def current(self, key: str) -> str:
        """The id a YAML chat key names today: after a group → supergroup migration, the new
        id (``RuntimeBook.aliases`` maps new ids to the key their YAML is under)."""
        moved = [new for new, old in self.services.book.aliases.items()
                 if old == key and new != key]
        live = [c for c in moved if c not in self.inactive()]
        return (live or moved or [key])[-1]

    async def chats(self) -> list[str]:
        """Chats the jobs consider: those named in YAML (under their current id) and every
        active chat in storage, less the chats the bot was removed from or that migrated."""
        from storage.chats import ChatRepo

        async with self.services.db.session() as session:
            records = await ChatRepo(session).list()
        skip = self.inactive() | {r.chat for r in records if not r.active}
        named = [self.current(key) for key in self.services.book.config.chats]
        stored = [r.chat for r in records if r.active]
        return [c for c in dict.fromkeys([*named, *stored]) if c not in skip]

    def migrated(self, old: str, new: str) -> None:
        """``extras["migrate_hooks"]``: names seen under the old id follow the chat."""
        for (chat, user) in [k for k in self.seen if k[0] == old]:
            self.seen[(new, user)] = self.seen.pop((chat, user))
        self.points.migrated(old, new)

    def tz(self, chat: str) -> ZoneInfo:
        return ZoneInfo(self.services.book.get(chat).profile.timezone)

    def lang(self, chat: str) -> str:
        return self.services.book.get(chat).language

    def today(self, chat: str, now: datetime | None = None) -> date:
        return local_day(now or self.services.clock(), self.tz(chat))

    def day_bounds(self, chat: str, day: date) -> tuple[datetime, datetime]:
        return day_bounds(day, self.tz(chat))

    def gateway(self, chat: str) -> ChatGateway | None:
        platform = split_id(chat)[0]
        return self.services.gateways.get(platform) or self.gateways_hint.get(platform)

    async def reply(self, command: Command, gateway: ChatGateway, text: Text, *,
                    keep: bool = False, **values: object) -> str | None:
        """Answer a command in its chat; auto-deleted unless ``keep``."""
        return await self.services.notifier.notify(
            gateway, command.chat, text, lang=self.lang(command.chat),
            reply_to=command.message_id or None, thread_id=command.thread_id, keep=keep,
            values=values)

    async def say(self, gateway: ChatGateway, chat: str, text: Text, *, keep: bool = False,
                  reply_to: str | None = None, buttons: tuple[Button, ...] = (),
                  lang_of: str = "", **values: object) -> str | None:
        """Post in a chat (or a private chat with a user: ``lang_of`` names the group)."""
        return await self.services.notifier.notify(
            gateway, chat, text, lang=self.lang(lang_of or chat), reply_to=reply_to,
            buttons=buttons, keep=keep, values=values)

    async def tell(self, gateway: ChatGateway, user: str, text: Text, *, about: str,
                   **values: object) -> str | None:
        """Write to a member in private, in the language of the chat the message is
        ``about``; kept (a private message is not the group's clutter). The member's private
        chat, never their bare id: on QQ a member's number can also be a group's."""
        return await self.services.notifier.notify(
            gateway, direct_chat(user), text, lang=self.lang(about), keep=True, values=values)

    async def names(self, chat: str, users: list[str]) -> dict[str, str]:
        """Display names as storage knows them (the raw id when unknown)."""
        out: dict[str, str] = {}
        async with self.services.db.session() as session:
            repo = MemberRepo(session)
            for user in users:
                if (chat, user) in self.seen:
                    out[user] = self.seen[(chat, user)]
                    continue
                record = await repo.get(chat, user)
                out[user] = (record.name or (f"@{record.username}" if record.username else "")
                             ) if record else ""
                out[user] = out[user] or split_id(user)[1]
        return out


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day of ``moment`` in ``zone``."""
    return moment.astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC start and end of a local day (DST-aware)."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def get(services: Services) -> Hub:
    """The shared community state registered by ``handlers.community.register``."""
    found = services.extras.get("community")
    if not isinstance(found, Hub):
        raise RuntimeError("community features are not registered")
    return found
