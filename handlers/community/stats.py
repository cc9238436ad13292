"""/stats (统计): a picture of the chat's last 30 days and top contributors, limited per chat."""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import datetime, timedelta

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import t
from handlers.commands import CommandRouter, CommandSpec
from handlers.community.common import Hub
from storage.chats import ChatRepo
from storage.contributions import ContributionRepo
from storage.insights import InsightRepo

log = logging.getLogger(__name__)

DAYS = 30
TOP = 10
#: Drawing costs ~0.2 s of CPU: one picture per chat per minute.
COOLDOWN = timedelta(seconds=60)

CAPTION = t("📊 {title}: messages and active members over the last {days} days, and the top "
            "contributors.",
            "📊 {title}：最近 {days} 天的消息数与活跃成员，以及贡献榜。")
THIS_GROUP = t("This group", "本群")
TOO_SOON = t("The statistics were posted a moment ago; please ask again in {seconds} s.",
             "统计图刚刚发过，请 {seconds} 秒后再试。")
NOT_SENT = t("Sorry, the statistics picture could not be posted just now.",
             "抱歉，统计图暂时无法发送。")


class Cooldown:
    """At most one use per chat per ``every``; ``wait`` says how long is left (0: go)."""

    def __init__(self, every: timedelta = COOLDOWN) -> None:
        self.every = every
        self._last: dict[str, datetime] = {}

    def wait(self, chat: str, now: datetime) -> int:
        last = self._last.get(chat)
        if last is not None and now - last < self.every:
            return max(1, math.ceil((self.every - (now - last)).total_seconds()))
        self._last[chat] = now
        return 0

    def forget(self, chat: str) -> None:
        self._last.pop(chat, None)


async def stats_picture(hub: Hub, chat: str, now: datetime) -> tuple[bytes, str]:
    """The PNG of ``chat`` at ``now`` (rendered off the event loop) and its group title."""
    from bot.charts import stats_png

    await hub.services.activity.flush()
    await hub.flush_points()
    async with hub.services.db.session() as session:
        overview = await InsightRepo(session).overview([chat], now=now, days=DAYS,
                                                       tz=hub.tz(chat))
        board = await ContributionRepo(session).leaderboard(
            hub.network_chats(chat), now - timedelta(days=DAYS), limit=TOP)
        record = await ChatRepo(session).get(chat)
    board = [(user, points) for user, points in board if points > 0]
    names = await hub.names(chat, [user for user, _ in board])
    lang = hub.lang(chat)
    title = record.title if record is not None else ""
    top = [(names[user], points) for user, points in board]
    png = await asyncio.to_thread(stats_png, overview.days, top, lang, title)
    return png, title or THIS_GROUP.render(lang)


def register_stats(router: CommandRouter, hub: Hub, cooldown: Cooldown | None = None) -> None:
    """/stats (统计, 数据) in a group, for every member."""
    limit = cooldown or Cooldown()

    async def stats(command: Command, gateway: ChatGateway, role: Role) -> None:
        now = hub.services.clock()
        wait = limit.wait(command.chat, now)
        if wait:
            await hub.reply(command, gateway, TOO_SOON, seconds=wait)
            return
        try:
            png, title = await stats_picture(hub, command.chat, now)
        except Exception:
            limit.forget(command.chat)
            log.exception("/stats in %s: could not draw the picture", command.chat)
            await hub.reply(command, gateway, NOT_SENT)
            return
        caption = CAPTION.render(hub.lang(command.chat), title=title, days=DAYS)
        sent = await gateway.send_photo(command.chat, png, caption=caption,
                                        reply_to=command.message_id or None,
                                        thread_id=command.thread_id)
        if sent is None:
            limit.forget(command.chat)
            await hub.reply(command, gateway, NOT_SENT)

    router.add(CommandSpec("stats", stats, t("the group's last 30 days as a picture",
                                             "本群最近 30 天的统计图"),
                           aliases=("统计", "数据")))
