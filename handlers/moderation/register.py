"""Moderation (issue 6): commands, moderation log and undo, log chat, appeals, shadow mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.enforcer import Enforcement
from bot.events import ButtonPress, Command, Message, Role, split_id
from bot.gateway import ChatGateway
from bot.i18n import t
from bot.runtime import ChatRuntime
from bot.verdict import Decision
from handlers.commands import CommandRouter, CommandSpec
from handlers.moderation.actions import relay
from handlers.moderation.appeals import on_appeal_button, register_appeals
from handlers.moderation.exempt import register_exemptions
from handlers.moderation.logchat import LogRelay, on_button
from handlers.moderation.recent import RecentMessages
from handlers.moderation.reload import register_reload
from handlers.moderation.report import register_report
from handlers.moderation.retention import purge_expired, start_purging, stop_purging
from handlers.moderation.sanctions import register_sanctions
from handlers.moderation.shadow import load_overrides, register_shadow
from handlers.moderation.spam import register_spam
from handlers.moderation.training import load_models
from handlers.moderation.undo import log_command, undo_command

if TYPE_CHECKING:
    from handlers.services import Services

__all__ = ["purge_expired", "register"]


def register(router: CommandRouter, services: Services) -> None:
    """Add every moderation command, the log-chat relay, button handlers and startup hooks."""
    register_report(router, services)
    register_sanctions(router, services)
    register_exemptions(router, services)
    register_spam(router, services)
    register_shadow(router, services)

    async def log_(command: Command, gateway: ChatGateway, role: Role) -> None:
        await log_command(services, command, gateway, role)

    async def undo_(command: Command, gateway: ChatGateway, role: Role) -> None:
        await undo_command(services, command, gateway, role)

    router.add(CommandSpec("log", log_, t("the last n moderation-log entries", "最近的处置记录"),
                           aliases=("日志",), role=Role.MODERATOR))
    router.add(CommandSpec("undo", undo_, t("undo a logged decision by ID", "按编号撤销处置"),
                           aliases=("撤销",), role=Role.MODERATOR, right="can_restrict_members"))
    register_reload(router, services)
    register_appeals(router, services)

    recent = RecentMessages()
    services.extras["mod_recent"] = recent
    messages = services.extras.get("messages")
    if messages is not None:
        messages.after.append(recent)

    if not services.extras.get("mod_relay_disabled"):
        log_relay = LogRelay(services)
        services.extras["mod_relay"] = log_relay

        async def after(message: Message, decision: Decision, done: Enforcement | None,
                        runtime: ChatRuntime) -> None:
            gateway = services.gateways.get(split_id(message.chat)[0])
            if done is not None and done.log_id is not None and runtime.profile.log_chat \
                    and gateway is not None:
                await relay(services, gateway, done.log_id)

        if messages is not None:
            messages.after.append(after)

        async def stop_relay(services_: Services) -> None:
            await log_relay.stop()

        services.extras.setdefault("shutdown", []).append(stop_relay)

    async def buttons(press: ButtonPress, gateway: ChatGateway) -> None:
        await on_button(services, press, gateway)
        await on_appeal_button(services, press, gateway)

    services.dispatcher.on(ButtonPress, buttons)
    startup = services.extras.setdefault("startup", [])
    startup.extend([load_overrides, load_models, start_purging])
    services.extras.setdefault("shutdown", []).append(stop_purging)
