"""The dashboard's use-cases over the services: the ``bot.desk.Desk`` the web adapter calls."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.desk import (
    ChatCard,
    CheckinBoard,
    ConfigView,
    Done,
    LogFilter,
    LogPage,
    MemberPage,
    Overview,
    Viewer,
    Waiting,
    Waitlist,
)
from bot.events import Role, Sender, split_id
from bot.ports import LogEntry
from bot.verdict import Action
from handlers.dashboard.config_view import config_view
from handlers.dashboard.texts import ADMITTED, ALREADY_KEPT, GONE, KEPT, NOT_QUEUED, SKIPPED, UNDONE
from handlers.moderation.rights import may_moderate
from handlers.moderation.undo import reversible, undo
from handlers.services import Services
from storage.chats import ChatRepo
from storage.insights import InsightRepo
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.queue import JoinQueueRepo
from storage.records import QueueEntry
from storage.state import StateRepo

log = logging.getLogger(__name__)


class ServicesDesk:
    """Implements ``bot.desk.Desk``; every action re-checks the viewer's rights itself."""

    def __init__(self, services: Services) -> None:
        self.services = services

    # who sees what -------------------------------------------------------------------------

    def _network(self, chat: str) -> str:
        return self.services.book.network_of(chat) or ""

    async def chats(self, viewer: Viewer) -> list[ChatCard]:
        """Two queries whatever the number of chats, then the rights check of each (the
        admin cache on Telegram)."""
        async with self.services.db.session() as session:
            records = await ChatRepo(session).served()
            roles = {m.chat: Role(m.role) for m in await MemberRepo(session).staff(viewer.user)}
        cards = []
        for record in records:
            if record.chat_type == "private" or not await self._rights(
                    viewer, record.chat, roles.get(record.chat, Role.MEMBER)):
                continue
            cards.append(ChatCard(record.chat, record.title, record.platform,
                                  self._network(record.chat), record.member_count))
        return sorted(cards, key=lambda c: (c.network, c.title or c.chat))

    async def may_moderate(self, viewer: Viewer, chat: str) -> bool:
        """YAML moderators and the platform's real rights (the admin cache), per request;
        the playground's owner moderates the playground's chats only."""
        try:
            platform = split_id(chat)[0]
        except ValueError:
            return False
        if viewer.owner:
            return platform == "local"
        async with self.services.db.session() as session:
            if not await ChatRepo(session).knows(chat):
                return False  # neither served nor seen: nothing to moderate here
            member = await MemberRepo(session).get(chat, viewer.user)
        return await self._rights(viewer, chat,
                                  Role(member.role) if member is not None else Role.MEMBER)

    async def _rights(self, viewer: Viewer, chat: str, role: Role) -> bool:
        """The viewer's rights in a chat known to be served (no database read here)."""
        platform = split_id(chat)[0]
        if viewer.owner:
            return platform == "local"
        if split_id(viewer.user)[0] != platform:
            return False
        return await may_moderate(self.services, chat, Sender(viewer.user, viewer.name,
                                                              role=role))

    # reading -------------------------------------------------------------------------------

    def _tz(self, chat: str) -> ZoneInfo:
        return ZoneInfo(self.services.book.get(chat).profile.timezone)

    def _community(self, chat: str) -> object | None:
        hub = self.services.extras.get("community")
        return hub.options(chat) if hub is not None else None

    async def overview(self, chats: Sequence[str], days: int = 30) -> Overview:
        async with self.services.db.session() as session:
            return await InsightRepo(session).overview(
                chats, now=self.services.clock(), days=days, tz=self._tz(chats[0]))

    async def members(self, chat: str, query: str = "", offset: int = 0,
                      limit: int = 50) -> MemberPage:
        opts = self._community(chat)
        roster = getattr(opts, "roster", None)
        idle = getattr(roster, "inactive_days", None) if roster is not None else None
        now = self.services.clock()
        inactive_before = now - timedelta(days=int(idle)) if isinstance(idle, int) else None
        async with self.services.db.session() as session:
            return await InsightRepo(session).members(
                chat, query=query, offset=offset, limit=limit, now=now,
                inactive_before=inactive_before, tz=self._tz(chat))

    async def checkins(self, chat: str) -> CheckinBoard:
        opts = self._community(chat)
        checkin = getattr(opts, "checkin", None)
        goal = int(getattr(checkin, "challenge_days", 21))
        today = self.services.clock().astimezone(self._tz(chat)).date()
        async with self.services.db.session() as session:
            return await InsightRepo(session).checkins(chat, today=today, goal=goal)

    async def moderation(self, chat: str, where: LogFilter) -> LogPage:
        async with self.services.db.session() as session:
            return await InsightRepo(session).log_page(chat, where, reversible=reversible)

    async def waitlist(self, chat: str) -> Waitlist:
        opts = self._community(chat)
        capacity = getattr(opts, "capacity", None)
        limit = capacity.capacity if capacity is not None and capacity.enabled else None
        async with self.services.db.session() as session:
            queue = await JoinQueueRepo(session).list(chat)
            record = await ChatRepo(session).get(chat)
        return Waitlist(limit, record.member_count if record else None, tuple(
            Waiting(e.user_id, e.name, e.ref, e.created_at, n)
            for n, e in enumerate(queue, 1)))

    async def config(self, chat: str) -> ConfigView:
        return await asyncio.to_thread(config_view, self.services, chat)  # reads the file

    async def export(self, chat: str, table: str) -> tuple[list[str], list[list[str]]]:
        async with self.services.db.session() as session:
            repo = InsightRepo(session)
            if table == "members":
                return await repo.export_members(chat, now=self.services.clock())
            if table == "points":
                return await repo.export_points(chat)
            return await repo.export_log(chat)

    # acting --------------------------------------------------------------------------------

    async def _allowed(self, viewer: Viewer, chat: str) -> bool:
        return await self.may_moderate(viewer, chat)

    async def undo(self, viewer: Viewer, chat: str, entry: int, lang: str) -> Done:
        if not await self._allowed(viewer, chat):
            return Done(False, GONE.render(lang, id=entry, problem="not_found"))
        async with self.services.db.session() as session:
            found = await LogRepo(session).get(entry)
        gateway = self.services.gateways.get(split_id(chat)[0])
        if found is None or found.chat != chat or gateway is None:
            return Done(False, GONE.render(lang, id=entry, problem="not_found"))
        done = await undo(self.services, gateway, entry, viewer.user)
        if done.problem:
            return Done(False, GONE.render(lang, id=entry, problem=done.problem))
        steps = "; ".join(done.steps) or "marked undone"
        await self._log(chat, viewer, found.user_id, f"undo #{entry} (dashboard)", steps)
        log.info("dashboard: %s undid #%s in %s: %s", viewer.user, entry, chat, steps)
        return Done(True, UNDONE.render(lang, id=entry, steps=steps))

    async def keep(self, viewer: Viewer, chat: str, entry: int, lang: str) -> Done:
        if not await self._allowed(viewer, chat):
            return Done(False, GONE.render(lang, id=entry, problem="not_found"))
        now = self.services.clock()
        async with self.services.db.session() as session:
            found = await LogRepo(session).get(entry)
            if found is None or found.chat != chat:
                return Done(False, GONE.render(lang, id=entry, problem="not_found"))
            state = StateRepo(session)
            if (await state.get(chat, f"review:{entry}")).get("kept_by"):
                return Done(False, ALREADY_KEPT.render(lang, id=entry))
            await state.put(chat, f"review:{entry}", {"kept_by": viewer.user}, now)
        return Done(True, KEPT.render(lang, id=entry))

    async def _take(self, viewer: Viewer, chat: str, user: str) -> QueueEntry | None:
        """Take ``user``'s request off ``chat``'s queue for a moderator (None: not waiting)."""
        if not await self._allowed(viewer, chat):
            return None
        async with self.services.db.session() as session:
            queue = JoinQueueRepo(session)
            entry = next((e for e in await queue.list(chat) if e.user_id == user), None)
            if entry is None or not await queue.remove(chat, user):
                return None
        return entry

    async def admit(self, viewer: Viewer, chat: str, user: str, lang: str) -> Done:
        """Approve one queued request now, ahead of its turn (the moderator's call)."""
        entry = await self._take(viewer, chat, user)
        gateway = self.services.gateways.get(split_id(chat)[0])
        if entry is None or gateway is None:
            return Done(False, NOT_QUEUED.render(lang))
        outcome = await gateway.approve_join(chat, user, entry.ref)
        detail = "" if outcome.ok else outcome.detail
        await self._log(chat, viewer, user, "approve join (dashboard)", detail or "approved")
        return Done(outcome.ok, ADMITTED.render(lang, name=entry.name or user, detail=detail))

    async def skip(self, viewer: Viewer, chat: str, user: str, lang: str) -> Done:
        """Decline one queued request and take it off the list."""
        entry = await self._take(viewer, chat, user)
        gateway = self.services.gateways.get(split_id(chat)[0])
        if entry is None or gateway is None:
            return Done(False, NOT_QUEUED.render(lang))
        await gateway.decline_join(chat, user, entry.ref)
        await self._log(chat, viewer, user, "decline join (dashboard)", "declined")
        return Done(True, SKIPPED.render(lang, name=entry.name or user))

    async def _log(self, chat: str, viewer: Viewer, user: str, reason: str,
                   outcome: str) -> None:
        entry = LogEntry(chat=chat, user_id=user, action=Action.ALLOW,
                         created_at=self.services.clock(), actor=viewer.user, reason=reason,
                         outcome=outcome)
        async with self.services.db.session() as session:
            await LogRepo(session).add(entry)

