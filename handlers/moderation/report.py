"""/report: a member points the moderators at a message; reporters are rate-limited."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.events import Command, Role
from bot.gateway import Button, Capability, ChatGateway
from bot.i18n import t
from bot.ports import LogEntry
from bot.verdict import Action
from handlers.commands import CommandRouter, CommandSpec
from handlers.moderation.actions import command_content, gateway_for
from handlers.moderation.render import excerpt
from handlers.moderation.targets import Target
from storage.logs import LogRepo

if TYPE_CHECKING:
    from handlers.services import Services

REPLY_NEEDED = t("Reply /report to the message you want the moderators to see.",
                 "请用 /report 回复你想让管理员查看的消息。")
THANKS = t("Thank you, the moderators have been told (#{id}).", "谢谢，已通知管理员（#{id}）。")
SLOW_DOWN = t("You have reported a lot recently; please wait a while.",
              "你最近举报得太频繁了，请稍后再试。")
TO_MODS = t("Report #{id} by {reporter} in {chat} about {who}:\n«{text}»",
            "{reporter} 在 {chat} 举报了 {who}（#{id}）：\n«{text}»")
KEEP = t("Seen", "已阅")
LIMIT, PER = 3, timedelta(minutes=10)


class ReportLimiter:
    """At most ``limit`` reports per member per ``per`` in a chat."""

    def __init__(self, limit: int = LIMIT, per: timedelta = PER) -> None:
        self.limit, self.per = limit, per
        self._seen: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)

    def allow(self, chat: str, user: str, now: datetime) -> bool:
        times = self._seen[(chat, user)]
        while times and now - times[0] >= self.per:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True


def register_report(router: CommandRouter, services: Services) -> None:
    limiter = ReportLimiter()
    services.extras["mod_report_limiter"] = limiter
    reply = services.extras["reply"]

    async def report(command: Command, gateway: ChatGateway, role: Role) -> None:
        ref = command.reply_to
        if ref is None or not ref.sender_id:
            await reply(command, gateway, REPLY_NEEDED)
            return
        now = services.clock()
        if role < Role.MODERATOR and not limiter.allow(command.chat, command.sender.id, now):
            await reply(command, gateway, SLOW_DOWN)
            return
        target = Target(ref.sender_id, "", ref.message_id, ref.text)
        entry = LogEntry(chat=command.chat, user_id=ref.sender_id, action=Action.FLAG,
                         created_at=now, actor=command.sender.id, message_id=ref.message_id,
                         symbols={"REPORT_MEMBER": 0.0}, reason="reported by a member",
                         content=command_content(command, target), outcome="reported")
        async with services.db.session() as session:
            log_id = await LogRepo(session).add(entry)
        profile = services.book.get(command.chat).profile
        where = profile.log_chat or command.chat
        out = gateway_for(services, where, gateway)
        buttons = [Button(KEEP, data=f"keep:{log_id}")]
        if Capability.BUTTONS not in out.capabilities(where) or where == command.chat:
            buttons = []
        await services.notifier.notify(
            out, where, TO_MODS, lang=profile.language, buttons=buttons,
            keep=bool(profile.log_chat),
            reply_to=ref.message_id if where == command.chat else None, values={
                "id": log_id, "reporter": command.sender.name or command.sender.id,
                "chat": command.chat, "who": ref.sender_id, "text": excerpt(ref.text, 200)})
        await reply(command, gateway, THANKS, id=log_id)

    router.add(CommandSpec("report", report, t("reply: tell the moderators about a message",
                                               "回复：向管理员举报这条消息"), aliases=("举报",)))
