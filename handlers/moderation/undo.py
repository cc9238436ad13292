"""Undo a logged decision: unmute, unban, remove the warn, restore what was deleted, learn ham."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.events import Command, Role
from bot.gateway import ChatGateway, Outcome
from bot.i18n import Text, t
from bot.logged_text import content_text
from bot.ports import LogEntry
from bot.verdict import Action
from handlers.moderation.actions import gateway_for, record, summary
from handlers.moderation.render import entry_line
from handlers.moderation.rights import may_moderate
from handlers.moderation.targets import first_int
from handlers.moderation.training import train
from storage.logs import LogRepo
from storage.warns import WarnRepo

if TYPE_CHECKING:
    from handlers.services import Services

RESTORED = t("{name} wrote (restored by a moderator):\n{text}",
             "{name} 写道（已由管理员恢复）：\n{text}")
UNDONE = t("#{id} undone: {steps}.", "#{id} 已撤销：{steps}。")
NOT_FOUND = t("There is no log entry #{id} in this chat.", "本群没有编号为 #{id} 的处置记录。")
ALREADY = t("#{id} was already undone.", "#{id} 已经撤销过了。")
NOTHING = t("#{id} has nothing that can be reversed.", "#{id} 没有可以撤销的内容。")
NOT_THEIRS = t("#{id} is in {chat}, which you do not moderate.",
               "#{id} 属于 {chat}，你不是那里的管理人员。")
USAGE_UNDO = t("Usage: /undo ID (the number shown by /log).",
               "用法：/undo 编号（/log 中显示的数字）。")
LOG_EMPTY = t("The moderation log of this chat is empty.", "本群的处置日志为空。")
LOG_HEAD = t("Last {n} log entries:", "最近 {n} 条处置记录：")


@dataclass
class Undone:
    """The result of one undo: ``problem`` is ``not_found`` / ``already`` / ``nothing``."""

    entry: LogEntry | None
    steps: list[str] = field(default_factory=list)
    problem: str = ""


def reversible(entry: LogEntry) -> bool:
    """Whether undo has anything to do (automatic decisions always teach the classifier)."""
    if entry.actor == "auto" or entry.warn_id is not None:
        return True
    if entry.observe:
        return False
    return entry.action in (Action.MUTE, Action.KICK, Action.BAN) or _deleted(entry)


def _deleted(entry: LogEntry) -> bool:
    return "delete: ok" in entry.outcome and bool(entry.content.get("segments"))


async def undo(services: Services, gateway: ChatGateway, log_id: int, by: str) -> Undone:
    """Reverse what log entry ``log_id`` did, once; the undo itself is logged by the caller."""
    now = services.clock()
    async with services.db.session() as session:
        logs = LogRepo(session)
        entry = await logs.get(log_id)
        if entry is None:
            return Undone(None, problem="not_found")
        if not reversible(entry):
            return Undone(entry, problem="nothing")
        if not await logs.mark_undone(log_id, by, now):
            return Undone(entry, problem="already")
        steps: list[str] = []
        if entry.warn_id is not None and await WarnRepo(session).revoke(entry.warn_id):
            steps.append("warn removed")
    chat, user = entry.chat, entry.user_id
    target_gw = gateway_for(services, chat, gateway)
    if not entry.observe:
        if entry.action == Action.MUTE:
            steps.append(summary("unmute", await target_gw.unmute(chat, user)))
        elif entry.action in (Action.KICK, Action.BAN):
            steps.append(summary("unban", await target_gw.unban(chat, user)))
        if _deleted(entry):
            steps.append(summary("restore", await _restore(services, target_gw, entry)))
    if entry.actor == "auto":
        text = content_text(entry.content)
        if text and await train(services, chat, text, spam=False):
            steps.append("classifier learned ham")
    services.snapshots.invalidate(chat, user)
    return Undone(entry, steps)


async def _restore(services: Services, gateway: ChatGateway, entry: LogEntry) -> Outcome:
    lang = services.book.get(entry.chat).language
    sender = entry.content.get("sender") or {}
    name = sender.get("name") or sender.get("username") or entry.user_id
    body = RESTORED.render(lang, name=name, text=content_text(entry.content, lang))
    sent = await gateway.send(entry.chat, body, thread_id=entry.content.get("thread_id"),
                              lang=lang)
    return Outcome.success() if sent is not None else Outcome.failure("send failed")


def may_see(services: Services, chat: str, entry: LogEntry) -> bool:
    """An entry is managed from its own chat or from that chat's log chat."""
    return entry.chat == chat or services.book.get(entry.chat).profile.log_chat == chat


async def undo_command(services: Services, command: Command, gateway: ChatGateway,
                       role: Role) -> None:
    reply = services.extras["reply"]
    log_id = first_int(command.args)
    if log_id is None:
        await reply(command, gateway, USAGE_UNDO)
        return
    async with services.db.session() as session:
        found = await LogRepo(session).get(log_id)
    if found is None or not may_see(services, command.chat, found):
        await reply(command, gateway, NOT_FOUND, id=log_id)
        return
    if found.chat != command.chat and not command.sender.is_anonymous_admin \
            and not await may_moderate(services, found.chat, command.sender):
        await reply(command, gateway, NOT_THEIRS, id=log_id, chat=found.chat)
        return
    await answer_undo(services, command, gateway, log_id)


async def answer_undo(services: Services, command: Command, gateway: ChatGateway,
                      log_id: int) -> Undone:
    """Undo, log the undo, and tell the moderator what happened."""
    reply = services.extras["reply"]
    done = await undo(services, gateway, log_id, command.sender.id)
    if done.problem:
        await reply(command, gateway, {"not_found": NOT_FOUND, "already": ALREADY,
                                       "nothing": NOTHING}[done.problem], id=log_id)
        return done
    steps = "; ".join(done.steps) or "marked undone"
    await record(services, gateway, command, None, outcome=steps, reason=f"undo #{log_id}",
                 user_id=done.entry.user_id if done.entry else "")
    await reply(command, gateway, UNDONE, id=log_id, steps=steps)
    return done


async def log_command(services: Services, command: Command, gateway: ChatGateway,
                      role: Role) -> None:
    reply = services.extras["reply"]
    n = min(first_int(command.args) or 10, 50)
    async with services.db.session() as session:
        entries = await LogRepo(session).recent(command.chat, n)
    if not entries:
        await reply(command, gateway, LOG_EMPTY)
        return
    lang = services.book.get(command.chat).language
    lines = "\n".join(entry_line(e, lang) for e in entries)
    head = LOG_HEAD.render(lang, n=len(entries))
    await reply(command, gateway, Text(f"{head}\n{lines}", f"{head}\n{lines}"))
