"""Joins and departures: member records, the join trace policies read, ads in display names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.decide import decide
from bot.events import Kind, MemberJoined, MemberLeft, Message, Segment
from bot.gateway import ChatGateway
from bot.policy import JOIN_MARK, MemberSnapshot, RecentMessage
from bot.verdict import Action, Decision, Verdict
from storage.members import MemberRepo

if TYPE_CHECKING:
    from handlers.services import Services



def register_members(services: Services) -> None:
    """Record joins and departures; remove members whose display name is an advertisement."""

    def name_check(name: str) -> list[Verdict]:
        try:
            from policies.ads import name_verdicts
        except ImportError:
            return []
        return list(name_verdicts(name))

    async def joined(event: MemberJoined, gateway: ChatGateway) -> None:
        now = services.clock()
        async with services.db.session() as session:
            await MemberRepo(session).joined(event.chat, event.user, event.date)
        services.snapshots.invalidate(event.chat, event.user.id)
        services.history.add(event.chat, RecentMessage(
            message_id=event.message_id or f"{JOIN_MARK}{event.user.id}",
            sender_id=event.user.id, date=event.date,
            fingerprint=f"{JOIN_MARK}{event.user.id}", kinds=frozenset()))
        runtime = services.book.get(event.chat)
        if "ads" not in runtime.pipeline.names:
            return
        display = " ".join(filter(None, (event.user.name, event.user.username)))
        verdicts = name_check(display)
        if not verdicts:
            return
        decision = decide(verdicts, runtime.scoring)
        if decision.action < Action.DELETE and not decision.observe:
            return
        # a promotional name is an account made to advertise: remove it, keep the record
        forced = Decision(Action.KICK, decision.score, decision.verdicts, forced_by="AD_NAME",
                          observe=decision.observe, shadow_action=Action.KICK)
        trace = Message(event.chat, event.message_id, event.user,
                        event.date, (Segment(Kind.TEXT, display),))
        await services.enforcer.enforce(trace, forced, MemberSnapshot(event.user.id), gateway,
                                        ladder=runtime.ladder, now=now, lang=runtime.language)

    async def left(event: MemberLeft, gateway: ChatGateway) -> None:
        async with services.db.session() as session:
            await MemberRepo(session).left(event.chat, event.user.id, event.date)
        services.snapshots.invalidate(event.chat, event.user.id)

    services.dispatcher.on(MemberJoined, joined)
    services.dispatcher.on(MemberLeft, left)
