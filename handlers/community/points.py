"""Contribution points: clean messages, replies and mentions received, thanks, reactions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.enforcer import Enforcement
from bot.events import Command, Kind, Message, Reaction, Role
from bot.gateway import ChatGateway
from bot.i18n import t
from bot.runtime import ChatRuntime
from bot.verdict import Action, Decision
from handlers.community.common import Hub
from handlers.community.config import PointsOptions, fold
from handlers.messages import AfterHook
from storage import tallies
from storage.contributions import ContributionRepo
from storage.members import MemberRepo
from storage.state import StateRepo

THANKS_NEEDS_REPLY = t("Reply to the message of the member you want to thank with /thanks.",
                       "请回复你想感谢的成员的消息并发送 /thanks。")
THANKS_SELF = t("Thanking yourself earns nothing.", "不能感谢自己哦。")
THANKS_CAPPED = t("You have thanked {n} members today; thanks again tomorrow.",
                  "你今天已经感谢了 {n} 位成员，明天再来吧。")
THANKED = t("{giver} thanked {name} (+{points} points).", "{giver} 感谢了 {name}（+{points} 分）。")
POINTS_OFF = t("Contribution points are not enabled in this group.", "本群未开启贡献积分。")

def is_substantial(text: str, opts: PointsOptions) -> bool:
    """A message worth points: not filler, not very short (punctuation and spaces ignored)."""
    folded = fold(text)
    return len(folded) >= opts.min_length and not opts.is_filler(folded)


def passed(decision: Decision, enforcement: Enforcement | None) -> bool:
    """The message passed every policy: nothing done, nothing shadowed, nothing scored."""
    if decision.action > Action.ALLOW or decision.shadow_action > Action.ALLOW:
        return False
    if enforcement is not None and enforcement.intended > Action.ALLOW:
        return False
    return not any(v.score > 0 for v in decision.verdicts)


async def award(hub: Hub, chat: str, user: str, kind: str, at: datetime,
                count: float = 1.0) -> float:
    """Credit ``kind`` points (weight × count) within the daily cap; returns what was added.
    The points are batched (``hub.points``); the cap counts stored and pending points."""
    opts = hub.options(chat).points
    points = _worth(opts, user, kind, count)
    if points == 0:
        return 0.0
    day = hub.today(chat, at)
    return await hub.points.award((chat, user, kind, day), points, at,
                                  opts.daily_caps.get(kind))


def _worth(opts: PointsOptions, user: str, kind: str, count: float = 1.0) -> float:
    """What ``count`` × ``kind`` earns ``user`` before any cap (0 when points are off)."""
    return opts.weight(kind) * count if opts.enabled and user else 0.0


async def award_in(session: AsyncSession, hub: Hub, chat: str, user: str, kind: str,
                   at: datetime) -> float:
    """``award`` written in the caller's transaction instead of the batch: a check-in and
    its points are stored together or not at all (a replay after a crash that finds the
    check-in stored would not award it again)."""
    opts = hub.options(chat).points
    points = _worth(opts, user, kind)
    cap = opts.daily_caps.get(kind)
    if points > 0 and cap is not None:
        points = (await tallies.claim_many(
            session, [(chat, user, kind, hub.today(chat, at), points, cap)]))[0]
    if points:
        await ContributionRepo(session).add_many([(chat, user, kind, points, at)])
    return points


async def _mentioned(hub: Hub, message: Message) -> set[str]:
    users: set[str] = set()
    usernames: list[str] = []
    for segment in message.of(Kind.MENTION):
        if segment.data.get("user_id"):
            users.add(segment.data["user_id"])
        elif segment.data.get("username"):
            usernames.append(segment.data["username"])
    if usernames:
        async with hub.services.db.session() as session:
            repo = MemberRepo(session)
            for name in usernames:
                record = await repo.by_username(message.chat, name)
                if record is not None:
                    users.add(record.user_id)
    users.discard(message.sender.id)
    return users


def message_hook(hub: Hub) -> AfterHook:
    """The MessageHandler ``after`` hook crediting messages, replies and mentions."""

    async def after(message: Message, decision: Decision, enforcement: Enforcement | None,
                    runtime: ChatRuntime) -> None:
        opts = hub.options(message.chat).points
        if opts.enabled and not message.is_private:
            hub.remember(message.chat, message.sender)
        if not opts.enabled or message.edited or message.is_private or message.sender.is_bot:
            return
        now = hub.services.clock()
        if enforcement is not None and not enforcement.observe \
                and enforcement.action >= Action.WARN:
            await award(hub, message.chat, message.sender.id, "violation", now)
            return
        if not passed(decision, enforcement):
            return
        if is_substantial(message.text, opts):
            await award(hub, message.chat, message.sender.id, "message", now)
        reply = message.reply_to
        if reply is not None and reply.sender_id and reply.sender_id != message.sender.id:
            await award(hub, message.chat, reply.sender_id, "reply_received", now)
        for user in sorted(await _mentioned(hub, message)):
            await award(hub, message.chat, user, "mention_received", now)

    return after


def reaction_handler(hub: Hub) -> Callable[[Reaction, ChatGateway], Awaitable[None]]:
    """Credits the author of a message that received reactions (never self-reactions)."""

    async def on_reaction(event: Reaction, gateway: ChatGateway) -> None:
        if not event.added or not hub.options(event.chat).points.enabled:
            return
        now = hub.services.clock()
        author = next((m.sender_id for m in hub.services.history.recent(event.chat, now)
                       if m.message_id == event.message_id), "")
        if author and author != event.user_id:
            await award(hub, event.chat, author, "reaction_received", now)

    return on_reaction


async def thanks(hub: Hub, command: Command, gateway: ChatGateway, role: Role) -> None:
    """/thanks as a reply: points to the replied member; no self-thanks; a cap per giver."""
    opts = hub.options(command.chat).points
    if not opts.enabled:
        await hub.reply(command, gateway, POINTS_OFF)
        return
    target = command.reply_to.sender_id if command.reply_to else ""
    if not target:
        await hub.reply(command, gateway, THANKS_NEEDS_REPLY)
        return
    if target == command.sender.id:
        await hub.reply(command, gateway, THANKS_SELF)
        return
    now = hub.services.clock()
    today = hub.today(command.chat, now).isoformat()
    key = f"thanks:{command.sender.id}"
    async with hub.services.db.session() as session:
        state = StateRepo(session)
        given = await state.get(command.chat, key)
        count = int(given.get("count", 0)) if given.get("day") == today else 0
        if count >= opts.thanks_per_day:
            capped = True
        else:
            capped = False
            await state.put(command.chat, key, {"day": today, "count": count + 1}, now)
    if capped:
        await hub.reply(command, gateway, THANKS_CAPPED, n=opts.thanks_per_day)
        return
    points = await award(hub, command.chat, target, "thanks", now)
    names = await hub.names(command.chat, [target])
    await hub.reply(command, gateway, THANKED, keep=opts.keep,
                    giver=command.sender.name or command.sender.username or "?",
                    name=names[target], points=f"{points:g}")
