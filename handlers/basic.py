"""/help and /rules: what the bot does here and what the group's rules are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from handlers.commands import CommandRouter, CommandSpec

if TYPE_CHECKING:
    from handlers.services import Services

NO_RULES = t("This group has no written rules yet.", "本群还没有写下群规。")
RULES_HEAD = t("Rules of this group:", "本群群规：")
HELP_HEAD = t("Commands:", "可用命令：")


def register_basic(router: CommandRouter, services: Services) -> None:
    """Add /help and /rules to the router."""

    async def rules(command: Command, gateway: ChatGateway, role: Role) -> None:
        profile = services.book.get(command.chat).profile
        reply = services.extras["reply"]
        if not profile.rules:
            await reply(command, gateway, NO_RULES)
            return
        lines = "\n".join(f"{i}. {rule}" for i, rule in enumerate(profile.rules, 1))
        await reply(command, gateway, Text(f"{RULES_HEAD.en}\n{lines}",
                                           f"{RULES_HEAD.zh}\n{lines}"))

    async def help_(command: Command, gateway: ChatGateway, role: Role) -> None:
        visible = [s for s in router.specs if s.role <= role and s.menu]
        en = "\n".join(f"/{s.name} — {s.description.en}" for s in visible)
        zh = "\n".join(
            f"/{s.name}{' (' + '、'.join(s.aliases) + ')' if s.aliases else ''} — "
            f"{s.description.zh}" for s in visible)
        await services.extras["reply"](command, gateway,
                                       Text(f"{HELP_HEAD.en}\n{en}", f"{HELP_HEAD.zh}\n{zh}"))

    router.add(CommandSpec("help", help_, t("what I can do", "查看命令"), aliases=("帮助",),
                           private_ok=True))
    router.add(CommandSpec("rules", rules, t("the group's rules", "查看群规"), aliases=("群规",)))
