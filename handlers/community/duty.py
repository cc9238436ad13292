"""轮值 duty rotation: a roster from YAML and /duty join; the day's host announced each morning."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.events import Command, Role
from bot.gateway import ChatGateway
from bot.i18n import Text, t
from bot.scheduler import parse_time
from handlers.commands import CommandRouter, CommandSpec
from handlers.community.common import Hub
from storage.members import MemberRepo
from storage.state import DutyRepo, StateRepo

TODAY = t("Today's host is {name}. Thank you for looking after the group!",
          "今天的值日生是 {name}，辛苦啦！")
REMIND = t("Reminder: you are today's host in the group.", "提醒：今天由你在群里值日。")
JOINED = t("{name} joined the duty rotation.", "{name} 加入了轮值。")
ALREADY = t("You are already in the rotation.", "你已经在轮值名单中了。")
LEFT = t("{name} left the duty rotation.", "{name} 退出了轮值。")
NOT_IN = t("You are not in the rotation.", "你不在轮值名单中。")
EMPTY = t("Nobody is on the duty roster yet: /duty join", "轮值名单为空：发送 /duty join 加入")
HEAD = t("Duty schedule:", "轮值安排：")
OFF = t("Duty rotation is not enabled in this group.", "本群未开启轮值。")
MARK = "duty"


async def roster(hub: Hub, chat: str) -> list[str]:
    """YAML roster first, then members who joined with /duty join; departed members skipped."""
    opts = hub.options(chat).duty
    async with hub.services.db.session() as session:
        joined = [user for user, _ in await DutyRepo(session).list(chat)]
        users = list(dict.fromkeys([*opts.roster, *joined]))
        members = MemberRepo(session)
        present = []
        for user in users:
            record = await members.get(chat, user)
            if record is None or record.present:
                present.append(user)
    return present


def host_on(users: list[str], day: date) -> str | None:
    """Rotation by calendar day: stable across restarts and processes."""
    return users[day.toordinal() % len(users)] if users else None


async def announce(hub: Hub, chat: str, now: datetime) -> bool:
    """Announce today's host once per local day, at or after the configured time."""
    opts = hub.options(chat).duty
    local = now.astimezone(hub.tz(chat))
    if not opts.enabled or local.time() < parse_time(opts.at):
        return False
    today = local.date().isoformat()
    async with hub.services.db.session() as session:
        state = StateRepo(session)
        if (await state.get(chat, MARK)).get("day") == today:
            return False
        await state.put(chat, MARK, {"day": today}, now)
    gateway = hub.gateway(chat)
    host = host_on(await roster(hub, chat), local.date())
    if gateway is None or host is None:
        return False
    name = (await hub.names(chat, [host]))[host]
    await hub.say(gateway, chat, TODAY, keep=opts.keep, name=name)
    if opts.remind_private:
        await hub.tell(gateway, host, REMIND, about=chat)
    return True


def register_duty(router: CommandRouter, hub: Hub) -> None:
    """/duty [join|leave] (轮值 [加入|退出]) and the morning announcement job."""

    async def duty(command: Command, gateway: ChatGateway, role: Role) -> None:
        opts = hub.options(command.chat).duty
        if not opts.enabled:
            await hub.reply(command, gateway, OFF)
            return
        word = command.args[0].lower() if command.args else ""
        name = command.sender.name or command.sender.username or "?"
        now = hub.services.clock()
        if word in ("join", "加入"):
            async with hub.services.db.session() as session:
                added = await DutyRepo(session).join(command.chat, command.sender.id, name, now)
                await MemberRepo(session).touch(command.chat, command.sender, now, messages=0)
            await hub.reply(command, gateway, JOINED if added else ALREADY, name=name)
            return
        if word in ("leave", "退出"):
            async with hub.services.db.session() as session:
                removed = await DutyRepo(session).leave(command.chat, command.sender.id)
            await hub.reply(command, gateway, LEFT if removed else NOT_IN, name=name)
            return
        users = await roster(hub, command.chat)
        if not users:
            await hub.reply(command, gateway, EMPTY)
            return
        today = hub.today(command.chat, now)
        names = await hub.names(command.chat, users)
        lines = []
        for offset in range(7):
            day = today + timedelta(days=offset)
            lines.append(f"{day.isoformat()} — {names[host_on(users, day) or '']}")
        body = "\n".join(lines)
        await hub.reply(command, gateway, Text(f"{HEAD.en}\n{body}", f"{HEAD.zh}\n{body}"),
                        keep=opts.keep)

    async def job(now: datetime) -> None:
        for chat in await hub.chats():
            if hub.options(chat).duty.enabled:
                await announce(hub, chat, now)

    router.add(CommandSpec("duty", duty, t("duty rotation: join, leave or see the schedule",
                                           "轮值：加入、退出或查看安排"), aliases=("轮值",)))
    from bot.scheduler import Cron

    hub.scheduler.add("duty", Cron.parse("* * * * *"), job)
