"""打卡/签到: one check-in per local day, current and best streaks, a challenge with milestones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.dispatcher import Handled
from bot.events import Command, Message, Role, Sender
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from handlers.commands import CommandRouter, CommandSpec
from handlers.community.common import Hub
from handlers.community.points import award_in
from storage.checkins import CheckinRepo
from storage.members import MemberRepo
from storage.records import Streak

CHECKED = t("{name} checked in: {current} day(s) in a row (best {best}). "
            "Challenge {progress}/{goal}.",
            "{name} 打卡成功！已连续 {current} 天（最佳 {best} 天），挑战进度 {progress}/{goal}。")
ALREADY = t("{name}, you already checked in today ({current} day(s) in a row). See you tomorrow!",
            "{name}，你今天已经打过卡了（已连续 {current} 天），明天再来吧！")
MILESTONE = t("🎉 {name} reached {current} days in a row!", "🎉 {name} 已连续打卡 {current} 天！")
CHALLENGE_DONE = t("🏆 {name} completed the {goal}-day challenge!",
                   "🏆 {name} 完成了 {goal} 天打卡挑战！")
OFF = t("Check-in is not enabled in this group.", "本群未开启打卡。")
BOARD_HEAD = t("Check-in streaks:", "连续打卡榜：")
BOARD_LINE = t("{rank}. {name} — {current} day(s) (best {best})",
               "{rank}. {name} — 连续 {current} 天（最佳 {best} 天）")
BOARD_EMPTY = t("Nobody has checked in yet. Be the first: /checkin",
                "还没有人打卡，来做第一个吧：/checkin")


def _join(*texts: Text) -> Text:
    return Text("\n".join(x.en for x in texts), "\n".join(x.zh for x in texts))


def checkin_text(recorded: bool, streak: Streak, goal: int, milestones: list[int]) -> Text:
    """What the member is told: counted or not, the streak, and a milestone if reached now."""
    if not recorded:
        return ALREADY
    parts = [CHECKED]
    if streak.current == goal:
        parts.append(CHALLENGE_DONE)
    elif streak.current in milestones:
        parts.append(MILESTONE)
    return _join(*parts)


async def check_in(hub: Hub, chat: str, sender: Sender) -> tuple[bool, Streak]:
    """Record today's check-in (in the chat's timezone); returns (counted, streak)."""
    now = hub.services.clock()
    today = hub.today(chat, now)
    async with hub.services.db.session() as session:
        repo = CheckinRepo(session)
        recorded = await repo.record(chat, sender.id, today, now)
        streak = await repo.streak(chat, sender.id, today)
        await MemberRepo(session).touch(chat, sender, now, messages=0)  # a name for the boards
        if recorded:  # with the check-in, not batched: both stored or neither
            await award_in(session, hub, chat, sender.id, "checkin", now)
    return recorded, streak


async def _answer(hub: Hub, gateway: ChatGateway, chat: str, sender: Sender,
                  reply_to: str | None) -> None:
    opts = hub.options(chat).checkin
    recorded, streak = await check_in(hub, chat, sender)
    text = checkin_text(recorded, streak, opts.challenge_days, opts.milestones)
    await hub.say(gateway, chat, text, keep=opts.keep, reply_to=reply_to,
                  name=sender.name or sender.username or "?", current=streak.current,
                  best=streak.best, goal=opts.challenge_days,
                  progress=min(streak.current, opts.challenge_days))


def words_handler(hub: Hub) -> Callable[[Message, ChatGateway], Awaitable[Handled | None]]:
    """Plain 打卡 / 签到 messages (when ``plain_words`` is on) are the check-in command: the
    member checks in and the word is not moderated (it is not filler where it checks in),
    exactly as ``/checkin`` is not. Runs before moderation; anything else passes on."""

    async def handle(message: Message, gateway: ChatGateway) -> Handled | None:
        if message.is_private or message.edited or message.sender.is_bot:
            return None
        opts = hub.options(message.chat).checkin
        if not (opts.enabled and opts.plain_words) or message.text.strip() not in opts.words:
            return None
        await _answer(hub, gateway, message.chat, message.sender, message.message_id)
        return Handled.STOP

    return handle


def register_checkin(router: CommandRouter, hub: Hub) -> None:
    """/checkin (打卡, 签到) and /streaks (打卡榜)."""

    async def checkin(command: Command, gateway: ChatGateway, role: Role) -> None:
        if not hub.options(command.chat).checkin.enabled:
            await hub.reply(command, gateway, OFF)
            return
        await _answer(hub, gateway, command.chat, command.sender, command.message_id or None)

    async def streaks(command: Command, gateway: ChatGateway, role: Role) -> None:
        opts = hub.options(command.chat).checkin
        if not opts.enabled:
            await hub.reply(command, gateway, OFF)
            return
        today = hub.today(command.chat)
        async with hub.services.db.session() as session:
            board = await CheckinRepo(session).leaderboard(command.chat, today)
        board = [(user, s) for user, s in board if s.current > 0]
        if not board:
            await hub.reply(command, gateway, BOARD_EMPTY, keep=opts.keep)
            return
        names = await hub.names(command.chat, [user for user, _ in board])
        lines = [BOARD_LINE.format(rank=i, name=names[user], current=s.current, best=s.best)
                 for i, (user, s) in enumerate(board, 1)]
        await hub.reply(command, gateway, _join(BOARD_HEAD, *lines), keep=opts.keep)

    router.add(CommandSpec("checkin", checkin, t("daily check-in", "每日打卡"),
                           aliases=("打卡", "签到")))
    router.add(CommandSpec("streaks", streaks, t("check-in streak leaderboard", "连续打卡榜"),
                           aliases=("打卡榜",)))
