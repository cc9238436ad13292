"""/start in a private chat: what the bot is, the groups the user moderates with it, payloads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from handlers.commands import CommandRouter, CommandSpec
from handlers.onboarding.rights import labels
from storage.chats import ChatRepo
from storage.members import MemberRepo
from storage.records import ChatRecord

if TYPE_CHECKING:
    from handlers.services import Services

#: ``/start <prefix>_<rest>`` deep links (appeals, entry checks) are handed to the function
#: registered here by prefix: ``extras["start_payloads"]["appeal"] = fn(command, gateway, rest)``.
PAYLOADS = "start_payloads"
StartPayload = Callable[[Command, ChatGateway, str], Awaitable[None]]

INTRO = t(
    "I am qunguan (群管), a moderation bot for groups: I remove ads and spam, warn, mute and "
    "kick by each group's rules, and keep a log for its moderators. To use me, add me to your "
    "group and make me an admin.\nThis private chat is where you appeal a decision (/appeal) "
    "and pass a group's entry check when it asks you to.",
    "我是群管机器人：按各群的群规删除广告和垃圾消息，警告、禁言、踢出违规成员，并为管理员留存"
    "记录。把我拉进你的群并设为管理员即可使用。\n在这个私聊里，你可以申诉处理结果（/appeal），"
    "也可以完成群组要求的入群验证。")
GROUPS_HEAD = t("Groups you moderate with me:", "你用我管理的群：")
NO_GROUPS = t("You do not moderate any group with me yet.", "你还没有用我管理任何群。")
INACTIVE = t("I am not in it any more", "我已不在该群")
MISSING = t("missing: {rights}", "缺少权限：{rights}")
OBSERVING = t("observe mode", "观察模式")


def _line(services: Services, record: ChatRecord) -> Text:
    runtime = services.book.get(record.chat)
    notes: list[Text] = []
    if not record.active:
        notes.append(INACTIVE)
    elif record.missing_rights:
        got = labels(record.missing_rights)
        notes.append(Text(MISSING.en.format(rights=got.en), MISSING.zh.format(rights=got.zh)))
    if record.active and runtime.scoring.observe_chat:
        notes.append(OBSERVING)
    title = record.title or record.chat
    en = "; ".join(n.en for n in notes)
    zh = "；".join(n.zh for n in notes)
    return Text(f"• {title} — {runtime.profile_name}" + (f" ({en})" if en else ""),
                f"• {title} — {runtime.profile_name}" + (f"（{zh}）" if zh else ""))


async def moderated_chats(services: Services, user: str) -> list[ChatRecord]:
    """Known group chats where ``user`` is staff (stored role) or a YAML moderator."""
    async with services.db.session() as session:
        staff = {m.chat for m in await MemberRepo(session).staff(user)}
        chats = await ChatRepo(session).list()
    return [c for c in chats if c.chat_type != "private" and (
        c.chat in staff or user in services.book.get(c.chat).moderators)]


def register_start(router: CommandRouter, services: Services) -> None:
    """Add /start (private only)."""

    async def start(command: Command, gateway: ChatGateway, role: Role) -> None:
        payload = command.args[0] if command.args else ""
        prefix, _, rest = payload.partition("_")
        handler: StartPayload | None = services.extras.get(PAYLOADS, {}).get(prefix)
        if handler is not None:
            await handler(command, gateway, rest)
            return
        chats = await moderated_chats(services, command.sender.id)
        if chats:
            lines = [_line(services, c) for c in chats]
            listing = Text("\n".join([GROUPS_HEAD.en, *(x.en for x in lines)]),
                           "\n".join([GROUPS_HEAD.zh, *(x.zh for x in lines)]))
        else:
            listing = NO_GROUPS
        text = Text(f"{INTRO.en}\n\n{listing.en}", f"{INTRO.zh}\n\n{listing.zh}")
        await services.notifier.notify(gateway, command.chat, text, keep=True,
                                       lang=services.book.get(command.chat).language)

    router.add(CommandSpec("start", start, t("what I am, and your groups", "介绍与我管理的群"),
                           private_ok=True, group_ok=False, menu=False))
