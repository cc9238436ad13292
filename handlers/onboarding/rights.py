"""The admin rights the bot needs in a chat, what stops working without each, and what it holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.events import BotMembership, split_id
from bot.gateway import Capability
from bot.i18n import Text, t

#: Rights whose absence would make moderation fail message after message: observe instead.
OBSERVE_WITHOUT = frozenset({"can_delete_messages", "can_restrict_members"})


@dataclass(frozen=True, slots=True)
class Right:
    """One admin right: its Telegram name, a human label, and what stops working without it."""

    name: str
    label: Text
    effect: Text
    capabilities: frozenset[Capability]


RIGHTS: tuple[Right, ...] = (
    Right("can_delete_messages", t("Delete messages", "删除消息"),
          t("messages that break the rules cannot be removed", "无法删除违规消息"),
          frozenset({Capability.DELETE})),
    Right("can_restrict_members", t("Ban users", "封禁成员"),
          t("mutes, kicks and bans, and the entry check for newcomers, do not work",
            "禁言、踢出、封禁以及新成员入群验证无法执行"),
          frozenset({Capability.MUTE, Capability.KICK, Capability.BAN})),
    Right("can_invite_users", t("Invite users via link", "通过链接邀请用户"),
          t("join requests cannot be approved (the waitlist stops)",
            "无法审批入群申请（候补名单停止）"),
          frozenset({Capability.JOIN_REQUESTS})),
    Right("can_pin_messages", t("Pin messages", "置顶消息"),
          t("announcements cannot be pinned", "无法置顶公告"),
          frozenset()),
)
BY_NAME = {r.name: r for r in RIGHTS}


def required(platform: str, capabilities: Iterable[Capability]) -> tuple[str, ...]:
    """The rights that matter here: all four on Telegram; elsewhere those the platform can use."""
    if platform == "tg":
        return tuple(r.name for r in RIGHTS)
    caps = frozenset(capabilities)
    return tuple(r.name for r in RIGHTS if r.capabilities & caps)


def missing(event: BotMembership, capabilities: Iterable[Capability]) -> tuple[str, ...]:
    """Which needed rights the bot lacks after ``event`` (in the order of ``RIGHTS``).

    An owner holds every right. Platforms that report no per-right detail (OneBot) grant all of
    them with the admin role and none without it.
    """
    platform = split_id(event.chat)[0]
    needed = required(platform, capabilities)
    if event.status != "admin":
        return needed
    if "owner" in event.rights or platform != "tg":
        return ()
    return tuple(name for name in needed if name not in event.rights)


def needs_observe(missing_rights: Iterable[str]) -> tuple[str, ...]:
    """The missing rights that put the chat in observe mode (sorted for storage)."""
    return tuple(sorted(OBSERVE_WITHOUT & set(missing_rights)))


def describe(names: Iterable[str]) -> Text:
    """One line per missing right: ``• Delete messages (can_delete_messages): effect``."""
    rights = [BY_NAME[n] for n in names if n in BY_NAME]
    return Text(
        "\n".join(f"• {r.label.en} ({r.name}): {r.effect.en}" for r in rights),
        "\n".join(f"• {r.label.zh}（{r.name}）：{r.effect.zh}" for r in rights),
    )


def labels(names: Iterable[str]) -> Text:
    """The rights' labels joined: ``Delete messages, Ban users``."""
    rights = [BY_NAME[n] for n in names if n in BY_NAME]
    return Text(", ".join(r.label.en for r in rights), "、".join(r.label.zh for r in rights))
