"""Exemptions: /approve, /unapprove (automatic policies skip a member) and /allowvoice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from handlers.commands import CommandRouter, CommandSpec
from handlers.moderation.actions import record
from handlers.moderation.sanctions import _target
from storage.members import MemberRepo

if TYPE_CHECKING:
    from handlers.services import Services

APPROVED = t("{who} is approved: automatic policies no longer apply to them.",
             "已豁免 {who}：自动规则不再对其生效。")
UNAPPROVED = t("{who} is no longer approved.", "已取消对 {who} 的豁免。")
VOICE_ON = t("{who} may send voice messages.", "{who} 可以发送语音了。")
VOICE_OFF = t("{who} may no longer send voice messages.", "{who} 不能再发送语音。")
_OFF = frozenset({"off", "no", "0", "false", "关", "关闭", "取消"})


def _flag(services: Services, flag: str, value: bool | None, on: Text, off: Text
          ) -> Callable[[Command, ChatGateway, Role], Awaitable[None]]:
    async def run(command: Command, gateway: ChatGateway, role: Role) -> None:
        parsed = await _target(services, command, gateway)
        if parsed is None or parsed.target is None:
            return
        who = parsed.target
        setting = value
        if setting is None:  # /allowvoice [off]
            setting = not (parsed.reason.split()[:1] and parsed.reason.split()[0].lower() in _OFF)
        async with services.db.session() as session:
            await MemberRepo(session).set_flags(command.chat, who.user_id, **{flag: setting})
        await record(services, gateway, command, who, outcome=f"{flag}={setting}",
                     reason=parsed.reason)
        services.snapshots.invalidate(command.chat, who.user_id)
        await services.extras["reply"](command, gateway, on if setting else off, who=who.label)
    return run


def register_exemptions(router: CommandRouter, services: Services) -> None:
    mod = Role.MODERATOR
    router.add(CommandSpec(
        "approve", _flag(services, "approved", True, APPROVED, UNAPPROVED),
        t("exempt a member from automatic policies", "豁免成员（不受自动规则约束）"),
        aliases=("豁免",), role=mod))
    router.add(CommandSpec(
        "unapprove", _flag(services, "approved", False, APPROVED, UNAPPROVED),
        t("end an exemption", "取消豁免"), aliases=("取消豁免",), role=mod))
    router.add(CommandSpec(
        "allowvoice", _flag(services, "voice_allowed", None, VOICE_ON, VOICE_OFF),
        t("let a member send voice messages ([off] to stop)", "允许成员发语音（加 off 取消）"),
        aliases=("允许语音",), role=mod))
