"""A chat message: snapshot, pipeline, decision, enforcement; members' activity counted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

from bot.decide import decide
from bot.enforcer import Enforcement, Enforcer
from bot.events import Kind, Message, Role
from bot.gateway import ChatGateway
from bot.history import ChatHistory
from bot.knowledge import Knowledge, Look
from bot.policy import Context, RecentMessage
from bot.runtime import ChatRuntime, RuntimeBook
from bot.snapshots import ActivityBuffer, SnapshotCache
from bot.verdict import Action, Decision

AfterHook = Callable[[Message, Decision, Enforcement | None, ChatRuntime], Awaitable[None]]


_NONE = Look()


def _default_fingerprint(text: str) -> str:
    return "".join(text.split()).lower()


class MessageHandler:
    """Moderates every group message (new or edited) through the chat's pipeline."""

    def __init__(
        self,
        book: RuntimeBook,
        enforcer: Enforcer,
        snapshots: SnapshotCache,
        activity: ActivityBuffer,
        history: ChatHistory,
        *,
        fingerprint: Callable[[str], str] = _default_fingerprint,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        knowledge: Knowledge | None = None,
    ) -> None:
        self.book = book
        self.enforcer = enforcer
        self.snapshots = snapshots
        self.activity = activity
        self.history = history
        self.fingerprint = fingerprint
        self.clock = clock
        #: learned per-chat state: repetition of long texts, trusted domains
        self.knowledge = knowledge
        self.after: list[AfterHook] = []

    async def __call__(self, message: Message, gateway: ChatGateway) -> None:
        if message.is_private:
            return
        runtime = self.book.get(message.chat)
        now = self.clock()
        chat, sender = message.chat, message.sender
        role = sender.role
        if sender.id in runtime.moderators:
            role = max(role, Role.MODERATOR)
        member = await self.snapshots.get(chat, sender.id, now)
        if role > member.role:
            member = replace(member, role=role)
        fingerprint = self.fingerprint(message.text) if message.text else ""
        entry = None if message.edited else RecentMessage(
            message_id=message.message_id, sender_id=sender.id, date=message.date,
            fingerprint=fingerprint, kinds=message.kinds, album_id=message.album_id)
        # placed in the chat's trace before deciding: with a shared trace, messages handled
        # at the same moment by two workers see each other in one order, as with one worker
        recent = None if entry is None else await self.history.enter(chat, entry, now)
        decision = Decision(Action.ALLOW, 0.0)
        enforcement: Enforcement | None = None
        knowledge, look = self.knowledge, None
        if member.role < Role.MODERATOR and not member.approved:
            if knowledge is not None:
                look = await knowledge.look(message, now)
            ctx = Context(now=now, chat=runtime.info, member=member,
                          recent=recent if recent is not None
                          else await self.history.read(chat, now), fingerprint=fingerprint,
                          repetition=look.repetition if look else _NONE.repetition,
                          trusted_domains=look.trusted if look else _NONE.trusted)
            verdicts = await runtime.pipeline.run(message, ctx)
            decision = decide(verdicts, runtime.scoring)
            if decision.action > Action.ALLOW or decision.shadow_action > Action.ALLOW \
                    or decision.replies:
                enforcement = await self.enforcer.enforce(
                    message, decision, member, gateway, ladder=runtime.ladder, now=now,
                    lang=runtime.language,
                )
                if enforcement.action >= Action.KICK:  # gone: a rejoin reads them afresh
                    self.snapshots.invalidate(chat, sender.id)
                elif enforcement.warns:  # warned or muted: only the warn count changed
                    self.snapshots.warned(chat, sender.id, enforcement.warns)
        if entry is not None:
            if decision.verdicts and any(v.symbol.startswith("REDPACKET_")
                                         for v in decision.verdicts):
                # bot- or button-delivered packets count too
                entry = replace(entry, kinds=entry.kinds | {Kind.RED_PACKET})
            await self.history.settle(chat, entry)
            if knowledge is not None:  # deleted posts too: repetition evidence all the same
                await knowledge.record(message, member, decision, look, now)
            self.snapshots.counted(chat, sender.id)
            await self.activity.note(chat, sender if role == sender.role
                                     else replace(sender, role=role), now)
        for hook in self.after:
            await hook(message, decision, enforcement, runtime)
