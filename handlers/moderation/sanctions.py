"""Sanction commands: /warn /unwarn /warns /resetwarns /mute /unmute /kick /ban /unban."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.events import Command, Role, split_id
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from bot.ladder import human
from bot.verdict import Action
from handlers.commands import CommandRouter, CommandSpec
from handlers.moderation.actions import Done, record, sanction, summary
from handlers.moderation.targets import Parsed, Target, resolve
from storage.warns import WarnRepo

if TYPE_CHECKING:
    from handlers.services import Services

NO_TARGET = t("Whom? Reply to their message, or give @username or their id.",
              "对谁？请回复对方的消息，或写上 @用户名 或用户 id。")
UNKNOWN_USER = t("I don't know {who} in this chat; reply to their message or use their id.",
                 "本群里找不到 {who}；请回复对方的消息或使用用户 id。")
STAFF = t("{who} is a moderator; I won't sanction them.", "{who} 是管理人员，不能处罚。")
DONE = {
    Action.WARN: t("#{id} {who} is warned ({count}/{limit}). {reason}",
                   "#{id} {who} 被警告（{count}/{limit}）。{reason}"),
    Action.MUTE: t("#{id} {who} is muted for {duration}. {reason}",
                   "#{id} {who} 被禁言 {duration}。{reason}"),
    Action.KICK: t("#{id} {who} was removed. {reason}", "#{id} {who} 已被移出。{reason}"),
    Action.BAN: t("#{id} {who} is banned for {duration}. {reason}",
                  "#{id} {who} 被封禁 {duration}。{reason}"),
}
FAILED_CALL = t("#{id} logged, but the platform refused: {detail}",
                "#{id} 已记录，但平台拒绝了操作：{detail}")
DEGRADED = t("(this platform cannot {wanted}; applied {applied})",
             "（本平台无法执行{wanted}，已改为{applied}）")
UNWARNED = t("{who}: one warn removed ({count} left).",
             "{who}：已撤销一次警告（剩余 {count} 次）。")
NO_WARNS = t("{who} has no active warns.", "{who} 没有有效的警告。")
WARN_LIST = t("{who} has {count} active warn(s):\n{lines}",
              "{who} 有 {count} 次有效警告：\n{lines}")
RESET = t("{who}: {count} warn(s) cleared.", "{who}：已清除 {count} 次警告。")
REVERSED = t("{who}: {what} done ({detail}).", "{who}：已{what_zh}（{detail}）。")


def _who(target: Target) -> str:
    return target.label


async def _target(services: Services, command: Command, gateway: ChatGateway,
                  *, want_duration: bool = False) -> Parsed | None:
    if any(arg.startswith("@") for arg in command.args[:1]):
        await services.activity.flush()  # a member who just spoke is found by @username
    parsed = await resolve(services.db, command, want_duration=want_duration)
    reply = services.extras["reply"]
    if parsed.problem.startswith("unknown_user:"):
        await reply(command, gateway, UNKNOWN_USER, who=parsed.problem.split(":", 1)[1])
        return None
    if parsed.target is None:
        await reply(command, gateway, NO_TARGET)
        return None
    return parsed


async def _is_staff(services: Services, command: Command, user: str) -> bool:
    if user in services.book.get(command.chat).moderators or user == command.chat:
        return True
    adapter = services.extras.get({"tg": "telegram"}.get(split_id(command.chat)[0], ""))
    check = getattr(adapter, "is_admin", None)
    if check is not None and await check(command.chat, user, None):
        return True
    snapshot = await services.snapshots.get(command.chat, user, services.clock())
    return snapshot.role >= Role.MODERATOR


async def _tell(services: Services, command: Command, gateway: ChatGateway, target: Target,
                done: Done, reason: str) -> None:
    reply = services.extras["reply"]
    lang = services.book.get(command.chat).language
    if not done.outcome.ok:
        await reply(command, gateway, FAILED_CALL, id=done.log_id, detail=done.outcome.detail)
        return
    text = DONE.get(done.action)
    if text is None:
        return
    limit = services.book.get(command.chat).ladder.limit
    body = text.render(lang, id=done.log_id, who=_who(target), count=done.warns, limit=limit,
                       duration=human(done.duration, lang), reason=reason).strip()
    if done.action != done.intended:
        body += " " + DEGRADED.render(lang, wanted=done.intended.label, applied=done.action.label)
    await reply(command, gateway, Text(body, body))


def _sanction_fn(services: Services, action: Action
                 ) -> Callable[[Command, ChatGateway, Role], Awaitable[None]]:
    async def run(command: Command, gateway: ChatGateway, role: Role) -> None:
        parsed = await _target(services, command, gateway,
                               want_duration=action in (Action.MUTE, Action.BAN))
        if parsed is None or parsed.target is None:
            return
        if await _is_staff(services, command, parsed.target.user_id):
            await services.extras["reply"](command, gateway, STAFF, who=_who(parsed.target))
            return
        done = await sanction(services, gateway, command, parsed.target, action,
                              duration=parsed.duration, reason=parsed.reason)
        spread = services.extras.get("network_ban")
        if done.action == Action.BAN and spread is not None:
            # a ban in one group of a network applies in all (each logs its own entry)
            await spread(command.chat, parsed.target.user_id, parsed.reason or "ban")
        await _tell(services, command, gateway, parsed.target, done, parsed.reason)
    return run


def register_sanctions(router: CommandRouter, services: Services) -> None:
    """Add the sanction commands to the router."""
    reply = services.extras["reply"]

    async def unwarn(command: Command, gateway: ChatGateway, role: Role) -> None:
        parsed = await _target(services, command, gateway)
        if parsed is None or parsed.target is None:
            return
        who, now = parsed.target, services.clock()
        async with services.db.session() as session:
            repo = WarnRepo(session)
            revoked = await repo.revoke_latest(command.chat, who.user_id, now)
            left = await repo.active_count(command.chat, who.user_id, now)
        if revoked is None:
            await reply(command, gateway, NO_WARNS, who=_who(who))
            return
        await record(services, gateway, command, who, outcome=f"warn {revoked} revoked",
                     reason=parsed.reason)
        services.snapshots.invalidate(command.chat, who.user_id)
        await reply(command, gateway, UNWARNED, who=_who(who), count=left)

    async def warns(command: Command, gateway: ChatGateway, role: Role) -> None:
        parsed = await _target(services, command, gateway)
        if parsed is None or parsed.target is None:
            return
        who = parsed.target
        async with services.db.session() as session:
            active = await WarnRepo(session).active(command.chat, who.user_id, services.clock())
        if not active:
            await reply(command, gateway, NO_WARNS, who=_who(who))
            return
        lines = "\n".join(f"{w.created_at:%Y-%m-%d %H:%M} ({w.actor}) {w.reason}"
                          for w in active)
        await reply(command, gateway, WARN_LIST, who=_who(who), count=len(active), lines=lines)

    async def resetwarns(command: Command, gateway: ChatGateway, role: Role) -> None:
        parsed = await _target(services, command, gateway)
        if parsed is None or parsed.target is None:
            return
        who = parsed.target
        async with services.db.session() as session:
            count = await WarnRepo(session).reset(command.chat, who.user_id)
        await record(services, gateway, command, who, outcome=f"{count} warns revoked",
                     reason=parsed.reason)
        services.snapshots.invalidate(command.chat, who.user_id)
        await reply(command, gateway, RESET, who=_who(who), count=count)

    def reverse(what: str, what_zh: str
                ) -> Callable[[Command, ChatGateway, Role], Awaitable[None]]:
        async def run(command: Command, gateway: ChatGateway, role: Role) -> None:
            parsed = await _target(services, command, gateway)
            if parsed is None or parsed.target is None:
                return
            who = parsed.target
            call = gateway.unmute if what == "unmute" else gateway.unban
            outcome = await call(command.chat, who.user_id)
            detail = summary(what, outcome)
            await record(services, gateway, command, who, outcome=detail, reason=parsed.reason)
            services.snapshots.invalidate(command.chat, who.user_id)
            await reply(command, gateway, REVERSED, who=_who(who), what=what, what_zh=what_zh,
                        detail=detail)
        return run

    restrict = "can_restrict_members"
    mod = Role.MODERATOR
    specs = [
        ("warn", _sanction_fn(services, Action.WARN), t("warn a member", "警告成员"), ("警告",)),
        ("unwarn", unwarn, t("remove a member's latest warn", "撤销最近一次警告"), ("撤销警告",)),
        ("warns", warns, t("list a member's warns", "查看警告记录"), ("警告记录",)),
        ("resetwarns", resetwarns, t("clear a member's warns", "清除全部警告"), ("清除警告",)),
        ("mute", _sanction_fn(services, Action.MUTE), t("mute [10m/2h/3d/1w]", "禁言 [时长]"),
         ("禁言",)),
        ("unmute", reverse("unmute", "解除禁言"), t("lift a mute", "解除禁言"),
         ("解禁", "解除禁言")),
        ("kick", _sanction_fn(services, Action.KICK), t("remove a member", "移出成员"), ("踢出",)),
        ("ban", _sanction_fn(services, Action.BAN), t("ban [duration]", "封禁 [时长]"), ("封禁",)),
        ("unban", reverse("unban", "解除封禁"), t("lift a ban", "解除封禁"), ("解封",)),
    ]
    for name, fn, description, aliases in specs:
        router.add(CommandSpec(name, fn, description, aliases=aliases, role=mod, right=restrict))
