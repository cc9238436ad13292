"""/me (a member's points, streak, warns and rank), /top [week|month|all] and /thanks."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from handlers.commands import CommandRouter, CommandSpec
from handlers.community.common import Hub
from handlers.community.points import POINTS_OFF, thanks
from storage.checkins import CheckinRepo
from storage.contributions import ContributionRepo
from storage.warns import WarnRepo

ME = t("{name}: {points} points (rank {rank}), check-in streak {current} (best {best}), "
       "active warns {warns}.",
       "{name}：{points} 分（第 {rank} 名），连续打卡 {current} 天（最佳 {best} 天），"
       "有效警告 {warns} 次。")
TOP_HEAD = t("Top contributors ({period}):", "贡献榜（{period}）：")
TOP_LINE = t("{rank}. {name} — {points}", "{rank}. {name} — {points} 分")
TOP_EMPTY = t("No contribution points yet ({period}).", "还没有贡献积分（{period}）。")
PERIODS = {"week": ("week", "周", "this week", "近 7 天"),
           "month": ("month", "月", "this month", "近 30 天"),
           "all": ("all", "全部", "all time", "全部")}
_LENGTH = {"week": timedelta(days=7), "month": timedelta(days=30)}


def period_of(args: tuple[str, ...]) -> str:
    """``week``/``周``, ``month``/``月``, ``all``/``全部`` (default week)."""
    word = args[0].lower() if args else "week"
    for key, (en, zh, _, _) in PERIODS.items():
        if word in (en, zh, zh + "榜", "本" + zh):
            return key
    return "week"


def since_of(period: str, now: datetime) -> datetime | None:
    """Rolling windows: the last 7 or 30 days; None for all time."""
    length = _LENGTH.get(period)
    return now - length if length else None


def register_leaderboard(router: CommandRouter, hub: Hub) -> None:
    """/me (我的), /top (排行), /thanks (感谢)."""

    async def me(command: Command, gateway: ChatGateway, role: Role) -> None:
        opts = hub.options(command.chat)
        if not opts.points.enabled:
            await hub.reply(command, gateway, POINTS_OFF)
            return
        user, now = command.sender.id, hub.services.clock()
        chats = hub.network_chats(command.chat)
        await hub.flush_points()
        async with hub.services.db.session() as session:
            contributions = ContributionRepo(session)
            points = await contributions.total(chats, user)
            rank = await contributions.rank(chats, user)
            streak = await CheckinRepo(session).streak(command.chat, user,
                                                       hub.today(command.chat, now))
            warns = await WarnRepo(session).active_count(command.chat, user, now)
        await hub.reply(command, gateway, ME, keep=opts.points.keep,
                        name=command.sender.name or command.sender.username or "?",
                        points=f"{points:g}", rank=rank if rank is not None else "-",
                        current=streak.current, best=streak.best, warns=warns)

    async def top(command: Command, gateway: ChatGateway, role: Role) -> None:
        opts = hub.options(command.chat).points
        if not opts.enabled:
            await hub.reply(command, gateway, POINTS_OFF)
            return
        period = period_of(command.args)
        label = PERIODS[period]
        since = since_of(period, hub.services.clock())
        await hub.flush_points()
        async with hub.services.db.session() as session:
            board = await ContributionRepo(session).leaderboard(
                hub.network_chats(command.chat), since, limit=10)
        board = [(user, points) for user, points in board if points > 0]
        if not board:
            await hub.reply(command, gateway, Text(TOP_EMPTY.en.format(period=label[2]),
                                                   TOP_EMPTY.zh.format(period=label[3])),
                            keep=opts.keep)
            return
        names = await hub.names(command.chat, [user for user, _ in board])
        head = Text(TOP_HEAD.en.format(period=label[2]), TOP_HEAD.zh.format(period=label[3]))
        lines = [TOP_LINE.format(rank=i, name=names[user], points=f"{points:g}")
                 for i, (user, points) in enumerate(board, 1)]
        await hub.reply(command, gateway, Text("\n".join([head.en, *(x.en for x in lines)]),
                                              "\n".join([head.zh, *(x.zh for x in lines)])),
                        keep=opts.keep)

    async def thanks_(command: Command, gateway: ChatGateway, role: Role) -> None:
        await thanks(hub, command, gateway, role)

    router.add(CommandSpec("me", me, t("my points, streak and rank", "我的积分与排名"),
                           aliases=("我的",)))
    router.add(CommandSpec("top", top, t("top contributors: week, month or all",
                                         "贡献排行榜：周、月或全部"), aliases=("排行", "排行榜")))
    router.add(CommandSpec("thanks", thanks_, t("thank the member you reply to",
                                                "感谢你回复的成员"), aliases=("感谢", "谢谢")))
