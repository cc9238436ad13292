"""Appeals: a sanctioned member writes /appeal in private; moderators decide; the member hears."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.events import ButtonPress, Command, Role
from bot.gateway import Button, Capability, ChatGateway
from bot.i18n import t
from bot.ports import LogEntry
from bot.verdict import Action
from handlers.commands import CommandRouter, CommandSpec
from handlers.moderation.actions import gateway_for
from handlers.moderation.render import entry_line
from handlers.moderation.rights import may_moderate
from handlers.moderation.targets import first_int
from storage.chats import ChatRepo
from storage.logs import LogRepo
from storage.state import StateRepo

if TYPE_CHECKING:
    from handlers.services import Services

NONE_FOUND = t("I found no sanction against you to appeal.", "没有找到可以申诉的处罚记录。")
ALREADY = t("You have already appealed #{id}; the moderators will answer.",
            "你已经对 #{id} 提出申诉，请等待管理员处理。")
SENT = t("Your appeal of #{id} was sent to the moderators.", "你对 #{id} 的申诉已提交给管理员。")
TO_MODS = t("Appeal by {who} against #{id}:\n{line}\n\nTheir words: {words}",
            "{who} 对 #{id} 提出申诉：\n{line}\n\n申诉理由：{words}")
ACCEPT = t("Accept (undo)", "接受（撤销）")
REJECT = t("Reject", "驳回")
ACCEPTED = t("Your appeal of #{id} was accepted: the sanction is lifted.",
             "你对 #{id} 的申诉已被接受，处罚已撤销。")
REJECTED = t("Your appeal of #{id} was rejected: the sanction stands.",
             "你对 #{id} 的申诉被驳回，处罚维持不变。")
DECIDED = t("Appeal #{id} {outcome} by {who}.", "申诉 #{id} 已由 {who} {outcome_zh}。")


async def _find(services: Services, user: str, log_id: int | None) -> LogEntry | None:
    """The entry appealed: the one named, or the member's latest sanction anywhere we serve."""
    async with services.db.session() as session:
        logs = LogRepo(session)
        if log_id is not None:
            entry = await logs.get(log_id)
            return entry if entry is not None and entry.user_id == user else None
        chats = {c.chat for c in await ChatRepo(session).list()} | set(services.config.chats)
        found: list[LogEntry] = []
        for chat in chats:
            for entry in await logs.recent(chat, 20, user_id=user):
                undone, _ = await logs.undone(entry.id or 0)
                if entry.action >= Action.WARN and not entry.observe and undone is None:
                    found.append(entry)
                    break
    return max(found, key=lambda e: e.created_at) if found else None


def register_appeals(router: CommandRouter, services: Services) -> None:
    reply = services.extras["reply"]

    async def appeal(command: Command, gateway: ChatGateway, role: Role) -> None:
        log_id = first_int(command.args)
        words = " ".join(command.args[1:] if log_id is not None else command.args) or "-"
        entry = await _find(services, command.sender.id, log_id)
        if entry is None or entry.id is None:
            await reply(command, gateway, NONE_FOUND)
            return
        key, now = f"appeal:{entry.id}", services.clock()
        async with services.db.session() as session:
            state = StateRepo(session)
            if await state.get(entry.chat, key):
                await reply(command, gateway, ALREADY, id=entry.id)
                return
            await state.put(entry.chat, key, {"user": command.sender.id, "private": command.chat,
                                              "status": "open", "words": words}, now)
        profile = services.book.get(entry.chat).profile
        target = profile.log_chat or entry.chat
        out = gateway_for(services, target, gateway)
        lang = profile.language
        buttons = [Button(ACCEPT, data=f"appeal_ok:{entry.id}"),
                   Button(REJECT, data=f"appeal_no:{entry.id}")]
        if Capability.BUTTONS not in out.capabilities(target):
            buttons = []
        await services.notifier.notify(out, target, TO_MODS, lang=lang, buttons=buttons,
                                       keep=True, values={
                                           "who": command.sender.name or command.sender.id,
                                           "id": entry.id, "line": entry_line(entry, lang),
                                           "words": words})
        await reply(command, gateway, SENT, id=entry.id)

    router.add(CommandSpec("appeal", appeal, t("appeal a sanction (in private)",
                                                       "申诉处罚（私聊）"),
                           aliases=("申诉",), private_ok=True, group_ok=False))


async def on_appeal_button(services: Services, press: ButtonPress, gateway: ChatGateway) -> None:
    """[Accept] undoes the sanction; [Reject] keeps it; the member is told either way."""
    from handlers.moderation.undo import undo

    verb, _, rest = press.data.partition(":")
    if verb not in ("appeal_ok", "appeal_no") or not rest.isdigit():
        return
    log_id = int(rest)
    async with services.db.session() as session:
        entry = await LogRepo(session).get(log_id)
        state = await StateRepo(session).get(entry.chat, f"appeal:{log_id}") if entry else {}
    if entry is None or state.get("status") != "open":
        return
    if not await may_moderate(services, entry.chat, press.user):
        return
    accepted = verb == "appeal_ok"
    if accepted:
        await undo(services, gateway, log_id, press.user.id)
    async with services.db.session() as session:
        await StateRepo(session).put(entry.chat, f"appeal:{log_id}", {
            **state, "status": "accepted" if accepted else "rejected", "by": press.user.id},
            services.clock())
    private = str(state.get("private") or entry.user_id)
    member_lang = services.book.get(entry.chat).language
    await services.notifier.notify(gateway_for(services, private, gateway), private,
                                   ACCEPTED if accepted else REJECTED, lang=member_lang,
                                   keep=True, values={"id": log_id})
    await services.notifier.notify(gateway, press.chat, DECIDED, lang=member_lang, values={
        "id": log_id, "who": press.user.name or press.user.id,
        "outcome": "accepted" if accepted else "rejected",
        "outcome_zh": "接受" if accepted else "驳回"})
