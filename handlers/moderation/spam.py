"""/spam and /ham: moderators judge a message; the ladder applies and the classifier learns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.events import Command, Kind, Message, Role, Segment, Sender
from bot.gateway import ChatGateway
from bot.i18n import t
from bot.logged_text import content_text
from bot.verdict import Action, Decision, Verdict
from handlers.commands import CommandRouter, CommandSpec
from handlers.moderation.actions import relay
from handlers.moderation.targets import first_int
from handlers.moderation.training import train
from storage.logs import LogRepo

if TYPE_CHECKING:
    from handlers.services import Services

SYMBOL = "SPAM_MODERATOR"
REASON = t("spam, as judged by a moderator", "经管理员判定为垃圾消息")
REPLY_NEEDED = t("Reply /{name} to the message you mean.", "请用 /{name} 回复那条消息。")
SPAM_DONE = t("#{id} removed as spam ({action}); the classifier learned it.",
              "#{id} 已作为垃圾消息处理（{action}），分类器已学习。")
HAM_DONE = t("Learned as a normal message.", "已作为正常消息学习。")
NOTHING = t("There is no text to learn from.", "没有可学习的文字。")


def reported_message(command: Command) -> Message | None:
    """The replied-to message as the enforcer sees it (its text is all a reply carries)."""
    ref = command.reply_to
    if ref is None or not ref.sender_id:
        return None
    segments = (Segment(Kind.TEXT, ref.text),) if ref.text else ()
    return Message(command.chat, ref.message_id, Sender(ref.sender_id), command.date, segments,
                   thread_id=command.thread_id)


def register_spam(router: CommandRouter, services: Services) -> None:
    reply = services.extras["reply"]

    async def spam(command: Command, gateway: ChatGateway, role: Role) -> None:
        message = reported_message(command)
        if message is not None and command.reply_to is not None:
            message = services.extras["mod_recent"].get(command.chat,
                                                        command.reply_to.message_id) or message
        if message is None:
            await reply(command, gateway, REPLY_NEEDED, name="spam")
            return
        runtime = services.book.get(command.chat)
        now = services.clock()
        member = await services.snapshots.get(command.chat, message.sender.id, now)
        verdict = Verdict(SYMBOL, runtime.scoring.thresholds.get(Action.WARN, 6.0), REASON,
                          evidence=message.text[:200], force=Action.WARN, policy="moderator")
        decision = Decision(Action.WARN, verdict.score, (verdict,), forced_by="moderator")
        done = await services.enforcer.enforce(message, decision, member, gateway,
                                               ladder=runtime.ladder, now=now,
                                               lang=runtime.language, actor=command.sender.id)
        services.snapshots.invalidate(command.chat, message.sender.id)
        await train(services, command.chat, message.text, spam=True)
        if (knowledge := services.extras.get("knowledge")) is not None:
            await knowledge.distrust(message, now)  # its sites lose the chat's trust
        await relay(services, gateway, done.log_id)
        await reply(command, gateway, SPAM_DONE, id=done.log_id, action=done.action.label)

    async def ham(command: Command, gateway: ChatGateway, role: Role) -> None:
        text = command.reply_to.text if command.reply_to is not None else ""
        log_id = first_int(command.args)
        if not text and log_id is not None:
            async with services.db.session() as session:
                entry = await LogRepo(session).get(log_id)
            if entry is not None and entry.chat == command.chat:
                text = content_text(entry.content)
        if not text.strip():
            await reply(command, gateway, NOTHING if command.reply_to or log_id else REPLY_NEEDED,
                        name="ham")
            return
        await train(services, command.chat, text, spam=False)
        await reply(command, gateway, HAM_DONE)

    router.add(CommandSpec("spam", spam, t("reply: remove as spam and teach the classifier",
                                           "回复：按垃圾消息处理并训练分类器"),
                           aliases=("垃圾",), role=Role.MODERATOR, right="can_delete_messages"))
    router.add(CommandSpec("ham", ham, t("reply or ID: teach the classifier it is fine",
                                         "回复或编号：告诉分类器这是正常消息"),
                           aliases=("正常",), role=Role.MODERATOR))
