"""Shadow mode per chat and per policy (/shadow on|off [policy], /shadow report) and /policies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from bot.runtime import ChatOverrides
from handlers.commands import CommandRouter, CommandSpec
from handlers.moderation.targets import parse_duration
from storage.chats import ChatRepo
from storage.logs import LogRepo

if TYPE_CHECKING:
    from handlers.services import Services

USAGE = t("Usage: /shadow on|off [policy], or /shadow report [7d].",
          "用法：/shadow on|off [策略名]，或 /shadow report [7d]。")
UNKNOWN = t("No policy named {name} is enabled here ({known}).",
            "本群没有启用名为 {name} 的策略（{known}）。")
CHAT_ON = t("Shadow mode on: every rule decides and logs, nothing is acted on.",
            "影子模式已开启：所有规则照常判断并记录，但不执行处罚。")
CHAT_OFF = t("Shadow mode off: rules act again.", "影子模式已关闭：规则恢复执行。")
POLICY_ON = t("{name} now runs in shadow mode.", "策略 {name} 进入影子模式。")
POLICY_OFF = t("{name} now acts.", "策略 {name} 恢复执行。")
REPORT = t("Shadow mode, last {since}: {n} decisions would have been taken.",
           "影子模式，最近 {since}：本应处置 {n} 次。")
_ON = frozenset({"on", "开", "开启"})
_OFF = frozenset({"off", "关", "关闭"})


def overrides_to_json(over: ChatOverrides) -> dict[str, Any]:
    return {"observe": over.observe, "observe_policies": sorted(over.observe_policies),
            "enforce_policies": sorted(over.enforce_policies)}


def overrides_from_json(raw: dict[str, Any]) -> ChatOverrides:
    observe = raw.get("observe")
    return ChatOverrides(observe=None if observe is None else bool(observe),
                         observe_policies=frozenset(raw.get("observe_policies") or ()),
                         enforce_policies=frozenset(raw.get("enforce_policies") or ()))


def switched(over: ChatOverrides, on: bool, policy: str | None) -> ChatOverrides:
    """The overrides after ``/shadow on|off [policy]``."""
    if policy is None:
        return ChatOverrides(on, over.observe_policies, over.enforce_policies)
    observe, enforce = set(over.observe_policies), set(over.enforce_policies)
    (observe if on else enforce).add(policy)
    (enforce if on else observe).discard(policy)
    return ChatOverrides(over.observe, frozenset(observe), frozenset(enforce))


async def load_overrides(services: Services) -> int:
    """Startup hook: the shadow switches moderators set survive restarts."""
    count = 0
    async with services.db.session() as session:
        chats = await ChatRepo(session).list()
    for chat in chats:
        raw = chat.settings.get("shadow")
        if isinstance(raw, dict):
            services.book.set_overrides(chat.chat, overrides_from_json(raw))
            count += 1
    return count


def describe(services: Services, chat: str, lang: str) -> str:
    """The effective configuration of a chat, readable."""
    runtime = services.book.get(chat)
    profile, scoring, ladder = runtime.profile, runtime.scoring, runtime.ladder
    zh = lang.startswith("zh")
    mode = ("影子模式" if zh else "shadow mode") if scoring.observe_chat else \
        ("执行" if zh else "enforcing")
    lines = [f"{'配置' if zh else 'profile'}: {runtime.profile_name} · {mode} · {profile.language}"]
    for name, entry in profile.policies.items():
        if not entry.enabled:
            lines.append(f"  {name}: {'关闭' if zh else 'off'}")
            continue
        shadow = scoring.observe_chat or name in scoring.observe_policies
        state = ("影子" if zh else "shadow") if shadow else ("执行" if zh else "enforce")
        opts = ", ".join(f"{k}={v}" for k, v in entry.options.items())
        lines.append(f"  {name}: {state}" + (f" ({opts})" if opts else ""))
    thresholds = ", ".join(f"{a.label} ≥{v:g}" for a, v in sorted(scoring.thresholds.items()))
    lines.append(f"{'阈值' if zh else 'thresholds'}: {thresholds}")
    steps = ", ".join(f"{s.warns}→{s.action.label}"
                      + (f" {int(s.duration.total_seconds() // 60)}m" if s.duration else "")
                      for s in ladder.steps)
    lines.append(f"{'警告升级' if zh else 'escalation'}: {steps}; "
                 f"{'警告有效期' if zh else 'warns expire'} {ladder.warn_expiry.days}d")
    if scoring.symbol_scores:
        lines.append(f"{'分值覆盖' if zh else 'score overrides'}: " + ", ".join(
            f"{k}={v:g}" for k, v in scoring.symbol_scores.items()))
    if scoring.family_caps:
        lines.append(f"{'上限' if zh else 'caps'}: " + ", ".join(
            f"{k}≤{v:g}" for k, v in scoring.family_caps.items()))
    lines.append(f"{'协管' if zh else 'moderators'}: {len(runtime.moderators)}; "
                 f"{'日志群' if zh else 'log chat'}: {profile.log_chat or '-'}")
    return "\n".join(lines)


def register_shadow(router: CommandRouter, services: Services) -> None:
    reply = services.extras["reply"]
    coherence = services.extras.get("coherence")  # several workers: /shadow crosses them
    if coherence is not None:
        def adopt(chat: str, raw: str) -> None:
            services.book.set_overrides(chat, overrides_from_json(json.loads(raw)))

        coherence.on_shadow = adopt
        coherence.on_resume.append(lambda: load_overrides(services))  # switches missed

    async def shadow(command: Command, gateway: ChatGateway, role: Role) -> None:
        args = [a.lower() for a in command.args]
        if args[:1] == ["report"] or args[:1] == ["报告"]:
            await shadow_report(command, gateway, args[1:])
            return
        if not args or args[0] not in _ON | _OFF or len(args) > 2:
            await reply(command, gateway, USAGE)
            return
        on, policy = args[0] in _ON, (command.args[1] if len(args) == 2 else None)
        runtime = services.book.get(command.chat)
        if policy is not None and policy not in runtime.profile.policies:
            await reply(command, gateway, UNKNOWN, name=policy,
                        known=", ".join(runtime.profile.policies) or "-")
            return
        over = switched(services.book.overrides(command.chat), on, policy)
        services.book.set_overrides(command.chat, over)
        async with services.db.session() as session:
            await ChatRepo(session).update_settings(command.chat, services.clock(),
                                                    shadow=overrides_to_json(over))
        if coherence is not None:  # the other workers switch too
            coherence.announce("shadow", command.chat, v=json.dumps(overrides_to_json(over)))
        if policy is None:
            await reply(command, gateway, CHAT_ON if on else CHAT_OFF)
        else:
            await reply(command, gateway, POLICY_ON if on else POLICY_OFF, name=policy)

    async def shadow_report(command: Command, gateway: ChatGateway, args: list[str]) -> None:
        since = (parse_duration(args[0]) if args else None) or timedelta(days=7)
        async with services.db.session() as session:
            data = await LogRepo(session).shadow_summary(command.chat, services.clock() - since)
        lang = services.book.get(command.chat).language
        zh = lang.startswith("zh")
        head = REPORT.render(lang, since=f"{since.days}d" if since.days else str(since),
                             n=data["decisions"])
        lines = [head]
        if data["actions"]:
            lines.append(("按处置：" if zh else "by action: ") + ", ".join(
                f"{k} {v}" for k, v in sorted(data["actions"].items())))
        if data["symbols"]:
            lines.append(("按规则：" if zh else "by symbol: ") + ", ".join(
                f"{k} {v}" for k, v in list(data["symbols"].items())[:10]))
        if data["members"]:
            lines.append(("涉及成员：" if zh else "members: ") + ", ".join(
                f"{u} ({a})" for u, a in list(data["members"].items())[:20]))
        body = "\n".join(lines)
        await reply(command, gateway, Text(body, body))

    async def policies(command: Command, gateway: ChatGateway, role: Role) -> None:
        lang = services.book.get(command.chat).language
        body = describe(services, command.chat, lang)
        await reply(command, gateway, Text(body, body))

    router.add(CommandSpec("shadow", shadow, t("shadow mode: on|off [policy] | report",
                                                "影子模式：on|off [策略] | report"),
                           aliases=("影子",), role=Role.MODERATOR))
    router.add(CommandSpec("policies", policies, t("this chat's effective configuration",
                                                   "本群当前生效的配置"),
                           aliases=("策略",), role=Role.MODERATOR))
