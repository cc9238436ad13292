"""Roster review: a weekly report of inactive members; optional removal after a notice period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.events import Role, direct_chat, split_id
from bot.i18n import Text, t
from bot.ports import LogEntry
from bot.scheduler import Cron, parse_schedule
from bot.verdict import Action
from handlers.community.common import Hub
from handlers.community.config import RosterOptions
from storage.chats import ChatRepo
from storage.contributions import ContributionRepo
from storage.members import MemberRepo
from storage.records import MemberRecord
from storage.state import StateRepo

HEAD = t("Roster review of {group}: {n} member(s) inactive for {days}+ days:",
         "{group} 成员活跃度周报：{n} 人超过 {days} 天未发言：")
NONE = t("Roster review of {group}: nobody has been inactive for {days}+ days.",
         "{group} 成员活跃度周报：没有超过 {days} 天未发言的成员。")
LINE = t("{name} — last active {last} — {points} points{why}",
         "{name} — 最后活跃 {last} — {points} 分{why}")
MORE = t("… and {n} more", "……另有 {n} 人")
NOTIFIED = t("Notified now, removed on {date} if still inactive: {names}",
             "本次已提醒，若仍不活跃将于 {date} 移出：{names}")
NOTICE = t("{names}: you have not posted here for {days} days. Say something before {date} to "
           "keep your place; otherwise you will be removed (you may rejoin later).",
           "{names}：你已经 {days} 天没有在群里发言了。请在 {date} 前发言以保留席位，"
           "否则将被移出群聊（之后可以重新加入）。")
NOTICE_PRIVATE = t("You have not posted in {group} for {days} days. Say something there before "
                   "{date} to keep your place; otherwise you will be removed.",
                   "你已经 {days} 天没有在 {group} 发言了。请在 {date} 前发言以保留席位，"
                   "否则将被移出群聊。")
REMOVED = t("Roster: removed {n} inactive member(s) from {group}: {entries}. "
            "Reverse one with /undo ID in the group.",
            "成员清理：已将 {n} 名不活跃成员移出 {group}：{entries}。"
            "如需撤销，请在群内发送 /undo 编号。")
NEVER = t("never", "从未")
WHY = {"staff": t(" (staff, kept)", "（管理员，保留）"),
       "approved": t(" (approved, kept)", "（已认证，保留）"),
       "new": t(" (new member, kept)", "（新成员，保留）"),
       "noticed": t(" (notified)", "（已提醒）")}
MARK, NOTICES, ACTOR, SHOWN = "roster", "roster:notices", "roster", 50


@dataclass(frozen=True, slots=True)
class Inactive:
    record: MemberRecord
    points: float
    protected: str  # "" (may be removed) | "staff" | "approved" | "new"


def protection(hub: Hub, record: MemberRecord, opts: RosterOptions, now: datetime) -> str:
    """Why a member is never removed: staff (stored role or YAML), approved, or still new."""
    moderators = hub.services.book.get(record.chat).moderators
    if record.role >= Role.MODERATOR or record.user_id in moderators:
        return "staff"
    if record.approved:
        return "approved"
    arrived = record.joined_at or record.first_seen
    if arrived is not None and arrived > now - opts.grace:
        return "new"
    return ""


async def inactive(hub: Hub, chat: str, now: datetime) -> list[Inactive]:
    """Present members silent for ``inactive_days``, with their (network) points."""
    opts = hub.options(chat).roster
    await hub.services.activity.flush()  # last_seen of recent posters must be on disk
    await hub.flush_points()
    async with hub.services.db.session() as session:
        members = await MemberRepo(session).inactive_since(
            chat, now - timedelta(days=opts.inactive_days))
        points = dict(await ContributionRepo(session).leaderboard(
            hub.network_chats(chat), None, limit=1_000_000))
    return [Inactive(m, points.get(m.user_id, 0.0), protection(hub, m, opts, now))
            for m in members]


def _label(record: MemberRecord) -> str:
    return f"@{record.username}" if record.username else record.name or split_id(record.user_id)[1]


async def _title(hub: Hub, chat: str) -> str:
    async with hub.services.db.session() as session:
        record = await ChatRepo(session).get(chat)
    return record.title if record is not None and record.title else chat


def destinations(hub: Hub, chat: str) -> list[str]:
    """``report_to`` admins in private; else the profile's log chat; else the chat itself."""
    opts = hub.options(chat).roster
    platform = split_id(chat)[0]

    def qualify(x: str) -> str:
        return x if ":" in x else f"{platform}:{x}"

    if opts.report_to:
        return [direct_chat(qualify(user)) for user in opts.report_to]
    log_chat = hub.services.book.get(chat).profile.log_chat
    return [qualify(log_chat)] if log_chat else [chat]


def _lines(hub: Hub, chat: str, found: list[Inactive], noticed: set[str]) -> list[Text]:
    zone = hub.tz(chat)
    lines = []
    for item in found[:SHOWN]:
        seen = item.record.last_seen or item.record.joined_at or item.record.first_seen
        last = Text(seen.astimezone(zone).date().isoformat(),
                    seen.astimezone(zone).date().isoformat()) if seen else NEVER
        why = WHY.get(item.protected or ("noticed" if item.record.user_id in noticed else ""),
                      Text("", ""))
        lines.append(Text(*(LINE.render(lang, name=_label(item.record), last=last.render(lang),
                                        points=f"{item.points:g}", why=why.render(lang))
                            for lang in ("en", "zh-CN"))))
    if len(found) > SHOWN:
        lines.append(MORE.format(n=len(found) - SHOWN))
    return lines


def _stack(*texts: Text) -> Text:
    return Text("\n".join(x.en for x in texts), "\n".join(x.zh for x in texts))


async def _notices(hub: Hub, chat: str) -> dict[str, str]:
    async with hub.services.db.session() as session:
        users = (await StateRepo(session).get(chat, NOTICES)).get("users", {})
    return dict(users) if isinstance(users, dict) else {}


async def _save_notices(hub: Hub, chat: str, users: dict[str, str], now: datetime) -> None:
    async with hub.services.db.session() as session:
        await StateRepo(session).put(chat, NOTICES, {"users": users}, now)


async def report(hub: Hub, chat: str, now: datetime) -> list[str]:
    """Send the review; with ``remove`` notify removable members not yet notified.
    Returns the users notified now."""
    opts = hub.options(chat).roster
    gateway = hub.gateway(chat)
    if gateway is None:
        return []
    found = await inactive(hub, chat, now)
    notices = await _notices(hub, chat)
    fresh = [i.record for i in found if opts.remove and not i.protected
             and i.record.user_id not in notices]
    title = await _title(hub, chat)
    head = (HEAD if found else NONE).format(group=title, days=opts.inactive_days, n=len(found))
    parts = [head, *_lines(hub, chat, found, set(notices))]
    date = (now + opts.notice).astimezone(hub.tz(chat)).date().isoformat()
    if fresh:
        names = ", ".join(_label(r) for r in fresh)
        parts.append(NOTIFIED.format(date=date, names=names))
        notices.update({r.user_id: now.isoformat() for r in fresh})
        await _save_notices(hub, chat, notices, now)
    body = _stack(*parts)  # complete: member names are never read as placeholders
    for where in destinations(hub, chat):
        await hub.say(gateway, where, body, keep=True, lang_of=chat)
    if fresh:
        await hub.say(gateway, chat, NOTICE, keep=True, names=", ".join(_label(r) for r in fresh),
                      days=opts.inactive_days, date=date)
        for record in fresh:
            await hub.tell(gateway, record.user_id, NOTICE_PRIVATE, about=chat, group=title,
                           days=opts.inactive_days, date=date)
    return [r.user_id for r in fresh]


async def sweep(hub: Hub, chat: str, now: datetime) -> list[tuple[str, int]]:
    """Remove notified members whose notice ran out and who are still inactive and removable;
    every removal is a moderation-log KICK by ``roster`` (``/undo ID`` lets them back).
    Returns (user, log id) of each removal."""
    opts = hub.options(chat).roster
    notices = await _notices(hub, chat)
    due = [u for u, at in notices.items() if datetime.fromisoformat(at) + opts.notice <= now]
    gateway = hub.gateway(chat)
    if not due or gateway is None:
        return []
    await hub.services.activity.flush()
    removed: list[tuple[str, int]] = []
    cutoff = now - timedelta(days=opts.inactive_days)
    for user in due:
        noticed = datetime.fromisoformat(notices.pop(user))
        async with hub.services.db.session() as session:
            record = await MemberRepo(session).get(chat, user)
        if record is None or not record.present or protection(hub, record, opts, now) or \
                (record.last_seen is not None and record.last_seen > min(noticed, cutoff)):
            continue  # gone, protected by now, or active since the notice
        outcome = await gateway.kick(chat, user)
        async with hub.services.store.transaction() as tx:
            log_id = await tx.log(LogEntry(
                chat, user, Action.KICK, now, actor=ACTOR,
                reason=f"inactive {opts.inactive_days}+ days; notified {noticed.date()}",
                outcome="kick: ok" if outcome.ok else f"kick: {outcome.detail}"))
        if outcome.ok:
            async with hub.services.db.session() as session:
                await MemberRepo(session).left(chat, user, now)
            removed.append((_label(record), log_id))
    await _save_notices(hub, chat, notices, now)
    if removed:
        entries = ", ".join(f"{name} #{log_id}" for name, log_id in removed)
        title = await _title(hub, chat)
        for where in destinations(hub, chat):
            await hub.say(gateway, where, REMOVED, keep=True, lang_of=chat, n=len(removed),
                          group=title, entries=entries)
    return removed


async def review(hub: Hub, chat: str, now: datetime) -> None:
    """Once a minute per chat: the report when its schedule fired since the last check (the
    last check is stored, so restarts neither repeat nor replay), then the removals due."""
    opts = hub.options(chat).roster
    schedule = parse_schedule(opts.report, hub.services.book.get(chat).profile.timezone)
    async with hub.services.db.session() as session:
        state = StateRepo(session)
        marker = await state.get(chat, MARK)
        last = datetime.fromisoformat(marker["at"]) if marker.get("at") else \
            now - timedelta(minutes=1)
        await state.put(chat, MARK, {"at": now.isoformat()}, now)
    if schedule.next_after(last) <= now:
        await report(hub, chat, now)
    if opts.remove:
        await sweep(hub, chat, now)


def register_roster(hub: Hub) -> None:
    """A minutely job reviewing every chat that enabled ``features.roster``."""

    async def job(now: datetime) -> None:
        for chat in await hub.chats():
            if hub.options(chat).roster.enabled:
                await review(hub, chat, now)

    hub.scheduler.add("roster", Cron.parse("* * * * *"), job)
