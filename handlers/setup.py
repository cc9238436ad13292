"""Register every handler and command with the dispatcher (called by the composition root)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.events import ButtonPress, Command, split_id
from bot.gateway import ChatGateway
from bot.i18n import Text
from handlers.basic import register_basic
from handlers.commands import CommandRouter
from handlers.members import register_members

if TYPE_CHECKING:
    from handlers.services import Services


def install_handlers(services: Services) -> CommandRouter:
    """Build the command router and every use-case handler on top of the shared services."""

    async def reply(command: Command, gateway: ChatGateway, text: Text,
                    **values: object) -> None:
        lang = services.book.get(command.chat).language
        await services.notifier.notify(gateway, command.chat, text, lang=lang,
                                       reply_to=command.message_id or None,
                                       thread_id=command.thread_id, values=values)

    async def rights(chat: str, user: str, right: str | None) -> bool:
        adapter = services.extras.get({"tg": "telegram"}.get(split_id(chat)[0], ""))
        check = getattr(adapter, "is_admin", None)
        if check is None:
            return True  # platforms without per-right detail: the role is the right
        return bool(await check(chat, user, right))

    async def settle(event: Command | ButtonPress, gateway: ChatGateway) -> None:
        """Moderators read the log: write what the enforcer still buffers first."""
        await services.enforcer.flush()

    services.dispatcher.on(Command, settle)
    services.dispatcher.on(ButtonPress, settle)
    router = CommandRouter(reply, moderators=lambda chat: services.book.get(chat).moderators,
                           rights=rights)
    services.extras["commands"] = router
    services.extras["reply"] = reply
    register_basic(router, services)
    register_members(services)
    for name in ("handlers.moderation.register:register", "handlers.community.register:register",
                 "handlers.membership:register", "handlers.dashboard.register:register"):
        _optional(name, router, services)
    services.dispatcher.on(Command, router)
    return router


def _optional(path: str, router: CommandRouter, services: Services) -> None:
    """Feature modules register themselves if present (they land issue by issue)."""
    import importlib

    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return
    getattr(module, attr)(router, services)
