"""/dashboard: a moderator gets a signed, one-time login link in private."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.events import Command, Role, direct_chat
from bot.gateway import ChatGateway
from bot.i18n import t
from bot.signing import LoginLinks
from handlers.commands import CommandRouter, CommandSpec
from handlers.dashboard.texts import LINK, NOT_MODERATOR, OFF, SENT, START_FIRST
from handlers.moderation.rights import may_moderate

if TYPE_CHECKING:
    from handlers.services import Services

ANONYMOUS = t("You are posting anonymously: send /dashboard to me in private instead.",
              "你正以匿名管理员身份发言：请改为私聊我发送 /dashboard。")


def register_dashboard(router: CommandRouter, services: Services, links: LoginLinks) -> None:
    """/dashboard (后台) in a group or in private."""
    reply = services.extras["reply"]

    async def dashboard(command: Command, gateway: ChatGateway, role: Role) -> None:
        if links.signer is None:
            await reply(command, gateway, OFF)
            return
        sender = command.sender
        if command.is_private:  # the login itself shows only chats they moderate
            url = links.link(sender.id, name=sender.name)
            lang = services.book.get(command.chat).language
            await services.notifier.notify(gateway, command.chat, LINK, keep=True, lang=lang,
                                           values={"url": url, "minutes": _minutes(links)})
            return
        if sender.is_anonymous_admin:
            await reply(command, gateway, ANONYMOUS)
            return
        if role < Role.MODERATOR and not await may_moderate(services, command.chat, sender):
            await reply(command, gateway, NOT_MODERATOR)
            return
        url = links.link(sender.id, name=sender.name, chat=command.chat)
        lang = services.book.get(command.chat).language
        text = LINK.render(lang, url=url, minutes=_minutes(links))
        sent = await gateway.send(direct_chat(sender.id), text, lang=lang)
        await reply(command, gateway, SENT if sent is not None else START_FIRST)

    router.add(CommandSpec("dashboard", dashboard, t("open the web dashboard (moderators)",
                                                     "打开网页管理后台（管理人员）"),
                           aliases=("后台",), private_ok=True, menu=False))


def _minutes(links: LoginLinks) -> int:
    return max(1, int(links.ttl.total_seconds() // 60))
