"""The enforcer: escalate by warns, degrade to what the platform can do, log, then act."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.batching import WriteBehind
from bot.events import Message
from bot.gateway import Capability, ChatGateway, Outcome
from bot.i18n import Text, t
from bot.ladder import Ladder, degrade, human
from bot.metrics import Meter
from bot.notifier import Notifier
from bot.outbox import Order, Outbox
from bot.outbox_notices import Notice
from bot.policy import MemberSnapshot
from bot.ports import LogEntry, ModerationStore
from bot.raid import RaidLog
from bot.serialize import message_to_dict
from bot.standing import Standing, capped, kept_reason
from bot.verdict import Action, Decision

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Enforcement:
    """What the enforcer did for one decision."""

    action: Action
    intended: Action
    log_id: int | None = None
    warns: int = 0
    outcomes: Mapping[str, Outcome] = field(default_factory=dict)
    observe: bool = False


_TRANSIENT = ("path", "bytes_b64")  # fetched media: temporary, and too big for the log


def _loggable(content: dict[str, Any]) -> dict[str, Any]:
    """The message as logged: every id and text kept, transient fetched media dropped."""
    for segment in content.get("segments", ()):
        data = segment.get("data") or {}
        for key in _TRANSIENT:
            data.pop(key, None)
    return content


NOTICE = t(
    "{name}: your message was removed — {reason}.",
    "{name}：你的消息已被删除——{reason}。",
)
WARNED = t("{name} is warned ({count}/{limit}): {reason}.",
           "{name} 被警告（{count}/{limit}）：{reason}。")
MUTED = t("{name} is muted for {duration}: {reason}.", "{name} 被禁言 {duration}：{reason}。")
REMOVED = t("{name} was removed from the group: {reason}.", "{name} 已被移出本群：{reason}。")
BANNED = t("{name} is banned: {reason}.", "{name} 已被封禁：{reason}。")
DEGRADED = t(
    "(this platform cannot {wanted}; applied: {applied})",
    "（本平台无法{wanted}；已改为：{applied}）",
)


class Enforcer:
    """Turns a decision into a logged, escalated, capability-aware sanction."""

    def __init__(self, store: ModerationStore, notifier: Notifier, *,
                 reply_cooldown: timedelta = timedelta(minutes=10),
                 standing: Standing | None = None, outbox: Outbox | None = None,
                 meter: Meter | None = None) -> None:
        self.store = store
        #: decisions by action and symbol (``/metrics``; the composition root shares one)
        self.meter = meter or Meter()
        #: platform calls off the update path (None: carried out in line, as in unit tests)
        self.outbox = outbox
        self.notifier = notifier
        #: top contributors' rulebook-only offences stop at warn (see bot.standing)
        self.standing = standing or Standing()
        self.reply_cooldown = reply_cooldown
        self._replied: dict[tuple[str, str, str], datetime] = {}
        self._outcomes: WriteBehind[tuple[int, str]] = WriteBehind(store.set_outcomes,
                                                                    "outcomes")
        #: a raid's log entries, one transaction per batch (see ``_raid``)
        self.raid_log = RaidLog(store)
        self._raid_flush: asyncio.Task[None] | None = None
        #: outcomes of entries acted on in two orders (``_delete_early``), until both came
        self._parts: dict[int, list[str]] = {}

    async def record(self, log_id: int, summary: str) -> None:
        """What the platform said about a logged action, written behind in batches (an
        early deletion's outcome waits for the rest's: one outcome per entry)."""
        parts = self._parts.get(log_id)
        if parts is not None:
            parts.append(summary)
            if len(parts) < 2:
                return
            del self._parts[log_id]
            summary = "; ".join(p for p in parts if p != "ok") or "ok"
        if self._outcomes.add((log_id, summary)):
            await self.flush()

    async def flush(self) -> None:
        """Write buffered raid log entries and outcomes, each in one batch, after any write
        already in flight."""
        await self.raid_log.flush()
        await self._outcomes.flush()

    async def _flush_raid_log(self, every: float = 0.25) -> None:
        """Write the raid's entries soon, whether or not the app's flush loop runs (it
        usually does, 50 ms after an update ends: this is the fallback, not another writer
        taking turns at the lock every 50 ms)."""
        while len(self.raid_log):
            await asyncio.sleep(every)
            try:
                await self.raid_log.flush()
            except Exception:
                log.warning("raid log entries not written yet; retrying", exc_info=True)
                await asyncio.sleep(1.0)

    def _may_reply(self, message: Message, reply: Text, now: datetime) -> bool:
        """One informational reply per member and topic per cooldown (no reply storms)."""
        key = (message.chat, message.sender.id, reply.en)
        last = self._replied.get(key)
        if last is not None and now - last < self.reply_cooldown:
            return False
        if len(self._replied) > 10_000:
            self._replied.clear()
        self._replied[key] = now
        return True

    async def enforce(
        self,
        message: Message,
        decision: Decision,
        member: MemberSnapshot,
        gateway: ChatGateway,
        *,
        ladder: Ladder,
        now: datetime,
        lang: str,
        actor: str = "auto",
    ) -> Enforcement:
        """Apply ``decision``; ``actor`` names who decided (``auto`` or a moderator's id)."""
        for reply in () if decision.observe else decision.replies:  # shadow mode stays silent
            if not self._may_reply(message, reply, now):
                continue
            await self.notifier.notify(gateway, message.chat, reply, lang=lang,
                                       reply_to=message.message_id, thread_id=message.thread_id)
        would = max(decision.action, decision.shadow_action)
        if would < Action.FLAG:
            return Enforcement(Action.ALLOW, Action.ALLOW)
        if decision.observe or decision.action < Action.FLAG:
            return await self._observe(message, decision, member, ladder, now, actor)
        return await self._act(message, decision, gateway, ladder, now, lang, actor)

    def _entry(self, message: Message, decision: Decision, now: datetime, actor: str,
               **kw: Any) -> LogEntry:
        return replace(LogEntry(
            chat=message.chat, user_id=message.sender.id, action=decision.action,
            created_at=now, message_id=message.message_id, score=decision.score,
            symbols={v.symbol: v.score for v in (*decision.verdicts, *decision.observed)},
            reason=_why(decision),
            content=_loggable(message_to_dict(message)), actor=actor,
        ), **kw)

    async def _observe(
        self, message: Message, decision: Decision, member: MemberSnapshot,
        ladder: Ladder, now: datetime, actor: str,
    ) -> Enforcement:
        would = max(decision.action, decision.shadow_action)
        if would == Action.WARN and (step := ladder.escalate(member.warns_active + 1)):
            would = max(would, step.action)
        kw: dict[str, Any] = {}  # a top contributor's rulebook-only offence stops at warn
        if would > Action.WARN and await self.standing.protects(
                message.chat, message.sender.id, (*decision.verdicts, *decision.observed), now):
            kw["reason"] = kept_reason(_why(decision), would)
            would = capped(would, True)
        entry = self._entry(message, decision, now, actor, action=Action.ALLOW, shadow_action=would,
                            observe=True, outcome="observed", **kw)
        async with self.store.transaction() as tx:
            log_id = await tx.log(entry)
        self.meter.decision(would.label, entry.symbols, observe=True)
        return Enforcement(Action.ALLOW, would, log_id, member.warns_active, observe=True)

    async def _act(
        self, message: Message, decision: Decision, gateway: ChatGateway,
        ladder: Ladder, now: datetime, lang: str, actor: str,
    ) -> Enforcement:
        caps = gateway.capabilities(message.chat)
        if self._raiding(message, decision, gateway, caps, actor):
            return await self._raid(message, decision, gateway, caps, ladder, now, lang)
        early = self._delete_early(message, decision, gateway, caps, actor, lang)
        try:
            return await self._logged(message, decision, gateway, ladder, now, lang, actor,
                                      caps, early)
        finally:
            if early is not None and not early.done():  # not logged: nothing to record
                early.set_result(None)

    async def _logged(
        self, message: Message, decision: Decision, gateway: ChatGateway, ladder: Ladder,
        now: datetime, lang: str, actor: str, caps: frozenset[Capability],
        early: asyncio.Future[int | None] | None,
    ) -> Enforcement:
        intended = decision.action
        # read before the write transaction; None unless a rulebook-only offence may climb
        protected = intended >= Action.WARN and await self.standing.protects(
            message.chat, message.sender.id, decision.verdicts, now)
        kept: Action | None = None  # what a top contributor was spared, for the log
        if capped(intended, protected) != intended:
            kept, intended = intended, Action.WARN
        duration: timedelta | None = None
        if intended == Action.MUTE:
            secs = decision.mute_seconds
            duration = timedelta(seconds=secs) if secs else ladder.mute_default
        primary = decision.primary
        reason = primary.reason if primary else t("rule violation", "违反群规")
        async with self.store.transaction() as tx:
            warn_id, warns = None, 0
            applied = degrade(intended, caps)
            if Action.WARN in (intended, applied):  # degraded mutes still count as warns
                warn_id, warns = await tx.add_warn(
                    message.chat, message.sender.id, reason=reason.en, at=now,
                    expires_at=now + ladder.warn_expiry,
                )
                step = ladder.escalate(warns)
                if step is not None and capped(step.action, protected) != step.action:
                    kept = max(kept or step.action, step.action)
                elif step is not None and step.action > applied:
                    intended, duration = step.action, step.duration
                    applied = degrade(intended, caps)
            entry = self._entry(
                message, decision, now, actor, action=applied, warn_id=warn_id,
                degraded_from=intended if applied != intended else None,
                until=now + duration if duration and applied == Action.MUTE else None,
                **({"reason": kept_reason(_why(decision), kept)} if kept is not None else {}),
            )
            log_id = await tx.log(entry)
        self.meter.decision(applied.label, entry.symbols)
        if early is not None:  # its outcome and the rest's make the entry's one outcome
            self._parts[log_id] = []
            early.set_result(log_id)
        if self.outbox is not None and self.outbox.serves(gateway):  # committed: act off the
            # update path (an in-process gateway, the playground, is acted on in line)
            text = None if decision.silent else self._text(
                message, applied, intended, reason, warns, duration, ladder, lang)
            notice = None if text is None else Notice(
                gateway, message.chat, applied, text, lang, message.sender.id,
                reason.render(lang), message.thread_id)
            self.outbox.place(Order(
                gateway, message.chat, message.sender.id, applied,
                message.message_id if applied >= Action.DELETE and early is None else "",
                duration, log_id,
                f"degraded {intended.label}→{applied.label}" if applied != intended else "",
                lang, notice, auto=actor == "auto"))
            return Enforcement(applied, intended, log_id, warns)
        outcomes = await self._carry_out(message, applied, duration, gateway, caps)
        summary = "; ".join(f"{k}: {'ok' if o.ok else o.detail}" for k, o in outcomes.items())
        if applied != intended:
            summary = f"degraded {intended.label}→{applied.label}; {summary}".rstrip("; ")
        # the decision and its content are already committed; what the platform said is
        # written behind, in batches, so a violation costs one transaction on the hot path
        if self._outcomes.add((log_id, summary or "ok")):
            await self.flush()
        if not decision.silent:
            await self._tell(message, gateway, applied, intended, reason, warns, duration,
                             ladder, lang)
        return Enforcement(applied, intended, log_id, warns, outcomes)

    def _delete_early(self, message: Message, decision: Decision, gateway: ChatGateway,
                      caps: frozenset[Capability], actor: str,
                      lang: str) -> asyncio.Future[int | None] | None:
        """The deletion a decision makes whatever the member's warns: placed before the
        write transaction, so a busy database (another chat's raid, a flush) never delays
        it; the log entry's id is told once committed. Safe without the entry: the update
        is not done until its effects are durable, and a replay deletes again."""
        outbox = self.outbox
        if outbox is None or not outbox.serves(gateway) or decision.action < Action.DELETE \
                or not message.message_id or Capability.DELETE not in caps:
            return None
        logged: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        outbox.place(Order(gateway, message.chat, message.sender.id, Action.DELETE,
                           message.message_id, lang=lang, auto=actor == "auto",
                           logged=logged))
        return logged

    def _raiding(self, message: Message, decision: Decision, gateway: ChatGateway,
                 caps: frozenset[Capability], actor: str) -> bool:
        """An ad in a chat under a raid whose senders it bans: the cheap path."""
        outbox = self.outbox
        return (outbox is not None and actor == "auto" and outbox.serves(gateway)
                and decision.action >= Action.DELETE and bool(message.message_id)
                and outbox.raids.rule.ban and {Capability.DELETE, Capability.BAN} <= caps
                and outbox.raids.raid(message.chat) is not None)

    async def _raid(self, message: Message, decision: Decision, gateway: ChatGateway,
                    caps: frozenset[Capability], ladder: Ladder, now: datetime,
                    lang: str) -> Enforcement:
        """Deleted and its sender banned by the outbox; logged (and warned, without climbing
        the ladder: the ban supersedes it) behind, in batches, so that a raid does not take
        the write lock once per ad from the other chats; no notice (the raid's summary)."""
        assert self.outbox is not None
        applied = degrade(decision.action, caps)
        entry = self._entry(message, decision, now, "auto", action=applied)
        warned = Action.WARN in (decision.action, applied)
        primary = decision.primary
        reason = primary.reason.en if primary else "rule violation"
        logged, full = self.raid_log.add(entry, now + ladder.warn_expiry if warned else None,
                                         reason)
        if full:
            with contextlib.suppress(Exception):  # kept for the flush task's next try
                await self.raid_log.flush()
        if self._raid_flush is None or self._raid_flush.done():
            self._raid_flush = asyncio.get_running_loop().create_task(self._flush_raid_log())
        self.meter.decision(applied.label, entry.symbols)
        self.outbox.place(Order(gateway, message.chat, message.sender.id, Action.DELETE,
                                message.message_id, None, None, "raid", lang, logged=logged))
        return Enforcement(applied, decision.action)

    async def _carry_out(
        self, message: Message, action: Action, duration: timedelta | None,
        gateway: ChatGateway, caps: frozenset[Capability],
    ) -> dict[str, Outcome]:
        outcomes: dict[str, Outcome] = {}
        chat, user = message.chat, message.sender.id
        if action >= Action.DELETE and message.message_id:
            outcomes["delete"] = (
                await gateway.delete(chat, [message.message_id]) if Capability.DELETE in caps
                else Outcome.failure(f"unsupported on {gateway.platform}: the message stays"))
        if action == Action.MUTE:
            outcomes["mute"] = await gateway.mute(chat, user, duration)
        elif action == Action.KICK:
            outcomes["kick"] = await gateway.kick(chat, user)
        elif action == Action.BAN:
            outcomes["ban"] = await gateway.ban(chat, user, duration)
        for name, outcome in outcomes.items():
            if not outcome.ok:
                log.warning("%s in %s failed: %s", name, chat, outcome.detail)
        return outcomes

    async def _tell(
        self, message: Message, gateway: ChatGateway, applied: Action, intended: Action,
        reason: Text, warns: int, duration: timedelta | None, ladder: Ladder, lang: str,
    ) -> None:
        text = self._text(message, applied, intended, reason, warns, duration, ladder, lang)
        if text is not None:
            await self.notifier.notify(gateway, message.chat, text, lang=lang,
                                       thread_id=message.thread_id)

    @staticmethod
    def _text(
        message: Message, applied: Action, intended: Action, reason: Text, warns: int,
        duration: timedelta | None, ladder: Ladder, lang: str,
    ) -> str | None:
        name = message.sender.name or message.sender.username or message.sender.id
        why = reason.render(lang)
        if applied == Action.BAN:
            text = BANNED.render(lang, name=name, reason=why)
        elif applied == Action.KICK:
            text = REMOVED.render(lang, name=name, reason=why)
        elif applied == Action.MUTE:
            text = MUTED.render(lang, name=name, reason=why, duration=human(duration, lang))
        elif applied == Action.WARN:
            text = WARNED.render(lang, name=name, reason=why, count=warns, limit=ladder.limit)
        elif applied == Action.DELETE:
            text = NOTICE.render(lang, name=name, reason=why)
        else:
            return None
        if applied != intended:
            text += " " + DEGRADED.render(lang, wanted=intended.label, applied=applied.label)
        return text


def _why(decision: Decision) -> str:
    """What the moderation log says: every finding that weighed and the standing that scaled
    it (``Decision.explanation``), or the shadowed policies' findings in observe mode."""
    why = decision.explanation.en
    if not why and decision.observed:
        why = replace(decision, verdicts=decision.observed).explanation.en
    return why
