"""What the bot says when it arrives in, leaves, or changes rights in a chat (both languages)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.i18n import Text, t
from bot.runtime import ChatRuntime
from handlers.onboarding.rights import describe, labels

DUTIES: dict[str, Text] = {
    "ads": t("remove ads and contact spam", "删除广告和引流"),
    "voice": t("remove voice messages from members not allowed to send them",
               "删除未授权成员的语音"),
    "red_packet": t("keep red packets to festival windows", "节日以外限制红包"),
    "offtopic": t("curb off-topic filler", "限制无意义灌水"),
    "flood": t("stop flooding", "制止刷屏"),
    "abuse": t("remove insults", "删除辱骂"),
    "business": t("point personal business questions to staff", "引导业务问题私聊客服"),
    "newcomer": t("watch newcomers' first messages", "关注新成员的首批消息"),
    "classifier": t("catch spam the rules miss", "识别规则漏掉的垃圾消息"),
    "trust": t("go easy on long-standing members", "对老成员更宽容"),
}
HELLO = t("Hello! I am qunguan, this group's moderation bot. Here I will {duties}.",
          "大家好！我是群管机器人。在本群我会{duties}。")
NO_DUTIES = t("Hello! I am qunguan, this group's moderation bot. No rules are enabled here yet.",
              "大家好！我是群管机器人。本群暂未启用任何规则。")
ESCALATION = t("Repeat offences escalate: {steps}.", "屡次违规将升级处理：{steps}。")
OBSERVING = t("Until then I only observe: I log what I would do and act on nothing.",
              "在此之前我只观察：记录本应执行的处理，但不采取行动。")
MISSING_HEAD = t("I am missing admin rights:", "我缺少以下管理员权限：")
GRANT_HINT = t("Please grant them in the group's admin settings.", "请在群管理员设置中授予。")
BASIC_GROUP = t(
    "This is a basic group: Telegram lets bots mute members and answer join requests only in "
    "supergroups. When it becomes a supergroup I move over with everything it has.",
    "这是普通群：Telegram 只允许机器人在超级群中禁言成员和审批入群申请。升级为超级群后，"
    "我会带着全部数据一起迁移。")
RULES_BUTTON = t("Rules & policies", "群规与规则")
GRANTED = t("Thank you, I now have: {rights}.", "谢谢，我已获得权限：{rights}。")
FULL_ON = t("Moderation is fully on.", "管理功能已全面开启。")
LOST_HEAD = t("I lost admin rights:", "我失去了以下管理员权限：")
NOT_ADMIN_LEAVING = t(
    "Only an admin of this group can add me. I am leaving; ask an admin to add me.",
    "只有本群管理员可以添加我。我将退出本群，请让管理员来添加我。")
NOT_ADMIN_STAYING = t(
    "I was added by someone who is not an admin here. An admin should make me an admin to "
    "confirm; until then I only observe.",
    "添加我的人不是本群管理员。请管理员将我设为管理员以确认；在此之前我只观察。")
UNSUPPORTED_LEAVING = t("I moderate groups, not channels. I am leaving.",
                        "我只管理群组，不管理频道。我将退出。")
UNSUPPORTED_STAYING = t("I moderate groups, not channels: I cannot do anything here.",
                        "我只管理群组，不管理频道：在这里我无法工作。")
RULES_HEAD = t("Rules of this group:", "本群群规：")
NO_RULES = t("This group has no written rules yet.", "本群还没有写下群规。")
POLICIES_HEAD = t("What I do here:", "我在本群的职责：")


def _join(parts: Iterable[Text], sep_en: str = ", ", sep_zh: str = "、") -> Text:
    items = list(parts)
    return Text(sep_en.join(p.en for p in items), sep_zh.join(p.zh for p in items))


def fill(template: Text, **parts: Text) -> Text:
    """Fill ``template`` with bilingual parts, each language with its own."""
    return Text(template.en.format(**{k: v.en for k, v in parts.items()}),
                template.zh.format(**{k: v.zh for k, v in parts.items()}))


def _lines(*parts: Text) -> Text:
    return Text("\n".join(p.en for p in parts if p.en), "\n".join(p.zh for p in parts if p.zh))


def duties(runtime: ChatRuntime) -> Text:
    """The enabled policies as short phrases (unknown plugin policies by name)."""
    return _join(DUTIES.get(name, Text(name, name)) for name in runtime.pipeline.names)


def escalation(runtime: ChatRuntime) -> Text:
    steps = []
    for step in runtime.ladder.steps:
        hours = int(step.duration.total_seconds() // 3600) if step.duration else 0
        span = f" {hours // 24}d" if hours and hours % 24 == 0 else (f" {hours}h" if hours else "")
        steps.append(Text(f"{step.warns} warns → {step.action.label}{span}",
                          f"{step.warns} 次警告 → {step.action.label}{span}"))
    return fill(ESCALATION, steps=_join(steps, "; ", "；")) if steps else Text("", "")


def missing_block(missing: Sequence[str], observing: bool, head: Text = MISSING_HEAD) -> Text:
    """The missing rights, what stops without each, and whether the chat observes meanwhile."""
    if not missing:
        return Text("", "")
    return _lines(head, describe(missing), GRANT_HINT, OBSERVING if observing else Text("", ""))


def welcome(runtime: ChatRuntime, missing: Sequence[str], observing: bool, *,
            basic_group: bool) -> Text:
    """The one short arrival message."""
    hello = fill(HELLO, duties=duties(runtime)) if runtime.pipeline.names else NO_DUTIES
    return _lines(hello, escalation(runtime), missing_block(missing, observing),
                  BASIC_GROUP if basic_group else Text("", ""))


def granted(rights: Sequence[str], fully_on: bool) -> Text:
    return _lines(fill(GRANTED, rights=labels(rights)), FULL_ON if fully_on else Text("", ""))


def rules_and_policies(runtime: ChatRuntime) -> Text:
    """What the rules button shows: the written rules and what the bot enforces."""
    rules = runtime.profile.rules
    listed = "\n".join(f"{i}. {rule}" for i, rule in enumerate(rules, 1))
    rules_text = _lines(RULES_HEAD, Text(listed, listed)) if rules else NO_RULES
    what = duties(runtime)
    return _lines(rules_text, POLICIES_HEAD, what, escalation(runtime))
