"""Capacity and waitlist: requests beyond the cap wait first-come; a departure admits the next."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.events import (
    Command,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    Role,
    Sender,
    split_id,
)
from bot.gateway import ChatGateway
from bot.i18n import t
from bot.scheduler import Cron
from handlers.commands import CommandRouter, CommandSpec
from handlers.community import seats
from handlers.community.common import Hub
from storage.members import MemberRepo
from storage.queue import JoinQueueRepo

log = logging.getLogger(__name__)
#: an approved member whose join has not arrived after this is assumed never to come
STALE_ADMISSION = timedelta(hours=1)

QUEUED = t("The group is full. You are number {position} in the waiting list; I will let you "
           "in as soon as a place frees up. Ask /position any time.",
           "群已满员。你在候补队列中排第 {position} 位，有空位时会自动通过你的申请。"
           "随时发送 /position 查询。")
APPROVED = t("A place freed up: your request to join was approved. Welcome!",
             "有空位了：你的入群申请已通过，欢迎！")
POSITION = t("You are number {position} of {length} in the waiting list.",
             "你在候补队列中排第 {position} 位（共 {length} 人）。")
NOT_QUEUED = t("You are not in any waiting list.", "你不在任何候补队列中。")


async def _hint(hub: Hub, chat: str) -> int | None:
    """The platform's member count if an adapter offers ``member_count(chat)``."""
    platform = split_id(chat)[0]
    names = {"tg": "telegram"}.get(platform, platform)
    for key, adapter in list(hub.services.extras.items()):  # extras may grow while we await
        if key != names and not key.endswith(f":{platform}"):
            continue
        counter = getattr(adapter, "member_count", None)
        if counter is not None:
            try:
                return int(await counter(chat))
            except Exception:
                log.warning("member_count(%s) failed; counting stored members", chat)
    return None


async def ensure_count(hub: Hub, chat: str) -> bool:
    """Make sure storage knows the chat's member count; True if it was set just now."""
    async with hub.services.db.session() as session:
        if await seats.count(session, chat) is not None:
            return False
    members = await _hint(hub, chat)
    async with hub.services.db.session() as session:
        if members is None:
            members = len([m for m in await MemberRepo(session).present(chat) if m.present])
        return await seats.initialise(session, chat, members, hub.services.clock())


async def drain(hub: Hub, chat: str, gateway: ChatGateway) -> list[str]:
    """Approve queued requests, oldest first, while seats are free; returns who was admitted."""
    capacity = hub.options(chat).capacity
    admitted: list[str] = []
    while True:
        async with hub.services.db.session() as session:
            if not await seats.reserve(session, chat, capacity.capacity):
                return admitted
            entry = await JoinQueueRepo(session).pop_next(chat)
            if entry is None:
                await seats.release(session, chat)
                return admitted
            await seats.mark_admitted(session, chat, entry.user_id, hub.services.clock())
        outcome = await gateway.approve_join(chat, entry.user_id, entry.ref)
        if not outcome.ok:  # the request was withdrawn or expired: free the seat, try the next
            log.info("approving %s in %s failed: %s", entry.user_id, chat, outcome.detail)
            async with hub.services.db.session() as session:
                if await seats.consume_admitted(session, chat, entry.user_id):
                    await seats.release(session, chat)
            continue
        admitted.append(entry.user_id)
        await hub.tell(gateway, entry.user_id, APPROVED, about=chat)


async def admit_request(hub: Hub, chat: str, user: Sender, ref: str,
                        gateway: ChatGateway) -> bool:
    """Queue a join request and admit whoever's turn it is; True if ``user`` got in now."""
    await ensure_count(hub, chat)
    async with hub.services.db.session() as session:
        await JoinQueueRepo(session).enqueue(chat, user.id, ref, hub.services.clock(),
                                             name=user.name)
    admitted = await drain(hub, chat, gateway)
    if user.id in admitted:
        return True
    async with hub.services.db.session() as session:
        position = await JoinQueueRepo(session).position(chat, user.id)
    if position is not None:
        await hub.tell(gateway, user.id, QUEUED, about=chat, position=position)
    return False


async def resync_all(hub: Hub, now: datetime) -> list[str]:
    """Set each counted chat's seats to the platform's member count where one is offered,
    then admit whoever fits: joins and departures in flight when a count was first taken
    cannot skew it for long. Returns the chats whose count changed."""
    changed: list[str] = []
    async with hub.services.db.session() as session:
        chats = await seats.counted_chats(session)
    for chat in chats:
        if not hub.options(chat).capacity.enabled:
            continue
        members = await _hint(hub, chat)
        gateway = hub.gateway(chat)
        if members is None or gateway is None:
            continue
        async with hub.services.db.session() as session:
            if not await seats.resync(session, chat, members, now - STALE_ADMISSION):
                continue
        log.info("seats of %s set to the platform's count: %d", chat, members)
        changed.append(chat)
        await drain(hub, chat, gateway)
    return changed


def register_capacity(router: CommandRouter, hub: Hub) -> None:
    """Join requests, joins and departures of capped chats; /position (排队)."""

    def enabled(chat: str) -> bool:
        return hub.options(chat).capacity.enabled

    async def requested(event: JoinRequest, gateway: ChatGateway) -> None:
        opts = hub.options(event.chat)
        if not opts.capacity.enabled or (opts.gate.enabled and opts.gate.requests_in_private):
            return  # the entry gate runs first and hands over when passed
        await admit_request(hub, event.chat, event.user, event.ref, gateway)

    async def joined(event: MemberJoined, gateway: ChatGateway) -> None:
        if not enabled(event.chat) or await ensure_count(hub, event.chat):
            return
        async with hub.services.db.session() as session:
            if not await seats.consume_admitted(session, event.chat, event.user.id):
                await seats.occupy(session, event.chat)
            await JoinQueueRepo(session).remove(event.chat, event.user.id)

    async def left(event: MemberLeft, gateway: ChatGateway) -> None:
        if not enabled(event.chat):
            return
        if not await ensure_count(hub, event.chat):
            async with hub.services.db.session() as session:
                await seats.release(session, event.chat)
        await drain(hub, event.chat, gateway)

    async def position(command: Command, gateway: ChatGateway, role: Role) -> None:
        async with hub.services.db.session() as session:
            chats = await seats.queued_chats(session, command.sender.id)
            places = [(await JoinQueueRepo(session).position(c, command.sender.id),
                       await JoinQueueRepo(session).length(c)) for c in chats]
        if not places:
            await hub.reply(command, gateway, NOT_QUEUED)
            return
        for place, length in places:
            await hub.reply(command, gateway, POSITION, position=place, length=length)

    async def resync_job(now: datetime) -> None:
        await resync_all(hub, now)

    hub.scheduler.add("capacity-resync", Cron.parse("*/10 * * * *"), resync_job)
    hub.services.dispatcher.on(JoinRequest, requested)
    hub.services.dispatcher.on(MemberJoined, joined)
    hub.services.dispatcher.on(MemberLeft, left)
    router.add(CommandSpec("position", position, t("my place in the waiting list",
                                                   "查询候补排位"),
                           aliases=("排队",), private_ok=True))
