"""/reload: re-read the YAML; an invalid file keeps the running config and says what is wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import ConfigError, load_config
from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import t
from handlers.commands import CommandRouter, CommandSpec

if TYPE_CHECKING:
    from handlers.services import Services

RELOADED = t("Configuration reloaded from {source}: {policies} policies in this chat.",
             "已从 {source} 重新加载配置：本群启用 {policies} 条策略。")
INVALID = t("{source} is invalid; the running configuration is kept.\n{problems}",
            "{source} 有错误，继续使用当前配置。\n{problems}")


def register_reload(router: CommandRouter, services: Services) -> None:
    async def reload(command: Command, gateway: ChatGateway, role: Role) -> None:
        reply = services.extras["reply"]
        source = services.config.source
        try:
            loaded = load_config(source, registry=services.book.registry)
        except ConfigError as exc:
            await reply(command, gateway, INVALID, source=source,
                        problems="\n".join(exc.problems[:20]))
            return
        services.book.reload(loaded)
        services.config = loaded
        services.snapshots.invalidate(command.chat)
        enabled = sum(1 for e in services.book.get(command.chat).profile.policies.values()
                      if e.enabled)
        await reply(command, gateway, RELOADED, source=source, policies=enabled)

    router.add(CommandSpec("reload", reload, t("re-read the configuration file",
                                                       "重新加载配置文件"),
                           aliases=("重载",), role=Role.ADMIN, private_ok=True))
