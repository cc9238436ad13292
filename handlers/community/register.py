"""Community features (issue 5): check-in, points, capacity, gate, duty, roster, networks, posts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.events import Message, Reaction
from bot.scheduler import Cron, Scheduler
from handlers.commands import CommandRouter
from handlers.community.capacity import register_capacity
from handlers.community.checkin import register_checkin, words_handler
from handlers.community.common import Hub
from handlers.community.config import CommunityBook
from handlers.community.duty import register_duty
from handlers.community.gate import register_gate
from handlers.community.invites import register_invites
from handlers.community.leaderboard import register_leaderboard
from handlers.community.network import ban_hook, share_ban
from handlers.community.points import message_hook, reaction_handler
from handlers.community.roster import register_roster
from handlers.community.schedule import register_schedule
from handlers.community.stats import register_stats

if TYPE_CHECKING:
    from handlers.services import Services


def register(router: CommandRouter, services: Services) -> None:
    """Validate the features YAML, add the commands, hooks and background jobs."""
    hub = Hub(services, CommunityBook(services.config), Scheduler(clock=services.clock))
    services.extras["community"] = hub
    services.extras.setdefault("migrate_hooks", []).append(hub.migrated)
    services.extras["network_ban"] = lambda chat, user, reason: share_ban(hub, chat, user, reason)
    register_checkin(router, hub)
    services.dispatcher.on(Message, words_handler(hub), first=True)  # before moderation
    register_leaderboard(router, hub)
    register_stats(router, hub)
    messages = services.extras.get("messages")
    if messages is not None:
        messages.after.append(message_hook(hub))
        messages.after.append(ban_hook(hub))
    services.dispatcher.on(Reaction, reaction_handler(hub))
    register_capacity(router, hub)
    register_gate(hub)
    register_duty(router, hub)
    register_schedule(hub)
    register_roster(hub)
    register_invites(hub)

    # App.flush should call every extras["flushers"] entry; the minutely job and the shutdown
    # hook write pending points even where it does not (yet)
    services.extras.setdefault("flushers", []).append(hub.flush_points)

    async def flush_job(now: datetime) -> None:
        await hub.flush_points()

    hub.scheduler.add("points-flush", Cron.parse("* * * * *"), flush_job)

    async def startup(services: Services) -> None:
        hub.scheduler.start()

    async def shutdown(services: Services) -> None:
        await hub.scheduler.stop()
        await hub.flush_points()

    services.extras.setdefault("startup", []).append(startup)
    services.extras.setdefault("shutdown", []).append(shutdown)

