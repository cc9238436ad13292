"""Network invitations: members whose summed network points pass the threshold are invited,
once, in private, to the network's core group."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.config import normalise_chat_key
from bot.config.schema import NetworkConfig
from bot.i18n import t
from bot.scheduler import Cron
from handlers.community.common import Hub
from storage.members import MemberRepo
from storage.models import ContributionRow, CounterRow

log = logging.getLogger(__name__)

INVITE = t("Thank you for everything you bring to the {network} groups: you have earned {points} "
           "points. You are invited to join the core group: {link}",
           "感谢你在 {network} 各群的贡献：你已累计获得 {points} 分。诚邀你加入核心群：{link}")
KEY = "invited:"


async def qualified(hub: Hub, network: NetworkConfig, chats: list[str]) -> list[tuple[str, float]]:
    """Members whose points summed over ``chats`` reach the network's threshold."""
    threshold = network.invite_threshold
    if threshold is None:
        return []
    total = func.sum(ContributionRow.points)
    query = (select(ContributionRow.user_id, total).where(ContributionRow.chat.in_(chats))
             .group_by(ContributionRow.user_id).having(total >= threshold)
             .order_by(ContributionRow.user_id))
    async with hub.services.db.session() as session:
        return [(user, float(points)) for user, points in (await session.execute(query)).all()]


async def link_for(hub: Hub, core: str) -> str:
    """The core group's invite link: YAML ``features.network.invite_link`` of the core chat,
    else one made by the gateway if it offers ``create_invite_link(chat)``."""
    link = hub.options(core).network.invite_link
    gateway = hub.gateway(core)
    maker = getattr(gateway, "create_invite_link", None)
    if not link and maker is not None:
        try:
            made = await maker(core)
            link = made if isinstance(made, str) else ""
        except Exception:
            log.exception("could not create an invite link for %s", core)
    return link


async def _claim(hub: Hub, core: str, user: str, now: datetime) -> bool:
    """True once per (core group, member), across restarts and processes."""
    async with hub.services.db.session() as session:
        try:
            async with session.begin_nested():
                await session.execute(insert(CounterRow).values(
                    chat=core, key=f"{KEY}{user}", value={"at": now.isoformat()}, updated_at=now))
        except IntegrityError:
            return False
    return True


async def _present(hub: Hub, core: str, user: str) -> bool:
    async with hub.services.db.session() as session:
        record = await MemberRepo(session).get(core, user)
    return record is not None and record.present


async def invite_network(hub: Hub, name: str, network: NetworkConfig,
                         now: datetime) -> list[str]:
    """Invite every newly qualified member of one network; returns who was invited."""
    if network.invite_threshold is None or not network.core_chat:
        return []
    core = hub.current(normalise_chat_key(network.core_chat))
    gateway = hub.gateway(core)
    if gateway is None or core in hub.inactive():
        return []
    chats = hub.network_chats(core)
    found = await qualified(hub, network, chats)
    if not found:
        return []
    link = await link_for(hub, core)
    if not link:
        log.warning("network %s: %d member(s) qualify for %s but there is no invite link "
                    "(set features.network.invite_link on the core chat)", name, len(found), core)
        return []
    invited: list[str] = []
    for user, points in found:
        if await _present(hub, core, user) or not await _claim(hub, core, user, now):
            continue
        await hub.tell(gateway, user, INVITE, about=core, network=name, points=f"{points:g}",
                       link=link)
        invited.append(user)
    return invited


async def invite_all(hub: Hub, now: datetime) -> list[str]:
    """One pass over every network with an ``invite_threshold``."""
    await hub.flush_points()
    invited: list[str] = []
    for name, network in hub.services.book.config.app.networks.items():
        invited += await invite_network(hub, name, network, now)
    return invited


def register_invites(hub: Hub) -> None:
    """Check for newly qualified members every five minutes (networks may appear on reload)."""

    async def job(now: datetime) -> None:
        await invite_all(hub, now)

    hub.scheduler.add("network-invites", Cron.parse("*/5 * * * *"), job)
