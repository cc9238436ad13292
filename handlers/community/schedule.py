"""Scheduled posts: announcements from YAML on a cron-like schedule per chat, once per firing."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.i18n import Text
from bot.scheduler import Cron, parse_schedule
from handlers.community.common import Hub
from storage.state import StateRepo

MARK = "posts"


async def post_due(hub: Hub, chat: str, now: datetime) -> int:
    """Send every post of ``chat`` whose schedule fired since the last check; returns count.

    The last check is stored, so a restart neither repeats a post nor replays a backlog.
    """
    posts = hub.options(chat).schedule.posts
    if not posts:
        return 0
    tz = hub.services.book.get(chat).profile.timezone
    async with hub.services.db.session() as session:
        state = StateRepo(session)
        marker = await state.get(chat, MARK)
        last = datetime.fromisoformat(marker["at"]) if marker.get("at") else \
            now - timedelta(minutes=1)
        await state.put(chat, MARK, {"at": now.isoformat()}, now)
    gateway = hub.gateway(chat)
    sent = 0
    for post in posts:
        if gateway is None or parse_schedule(post.schedule, tz).next_after(last) > now:
            continue
        await hub.say(gateway, chat, Text(post.text_en or post.text, post.text), keep=post.keep)
        sent += 1
    return sent


def register_schedule(hub: Hub) -> None:
    """A minutely job posting what is due in every chat."""

    async def job(now: datetime) -> None:
        for chat in await hub.chats():
            await post_due(hub, chat, now)

    hub.scheduler.add("posts", Cron.parse("* * * * *"), job)
