"""Moderator actions through the same machinery as automatic ones: log, act, record, invalidate."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.events import Command, Message, split_id
from bot.gateway import ChatGateway, Outcome
from bot.ladder import degrade
from bot.ports import LogEntry
from bot.serialize import message_to_dict
from bot.verdict import Action
from handlers.moderation.targets import Target
from storage.logs import LogRepo
from storage.warns import WarnRepo

if TYPE_CHECKING:
    from handlers.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Done:
    """What a moderator action did: the log entry, the action applied and the platform result."""

    log_id: int
    action: Action
    intended: Action
    outcome: Outcome
    warns: int = 0
    duration: timedelta | None = None


def actor_of(command: Command) -> str:
    """The moderator's id (an anonymous admin acts as the chat itself)."""
    return command.sender.id


def command_content(command: Command, target: Target | None,
                    original: Message | None = None) -> dict[str, Any]:
    """What is stored for a moderator command: the command and the message it replied to
    (in full when the bot still remembers it: entities, media file ids, forward origin)."""
    content: dict[str, Any] = {"command": command.name, "args": list(command.args)}
    if target is not None and target.message_id:
        content["reply_to"] = {"message_id": target.message_id, "sender_id": target.user_id,
                               "text": target.text}
    if original is not None:
        content["original"] = message_to_dict(original)
    return content


def original_of(services: Services, chat: str, target: Target | None) -> Message | None:
    """The full message a command replied to, if it is still in the recent-message cache."""
    recent = services.extras.get("mod_recent")
    if recent is None or target is None or not target.message_id:
        return None
    found = recent.get(chat, target.message_id)
    return found if isinstance(found, Message) else None


def gateway_for(services: Services, chat: str, fallback: ChatGateway) -> ChatGateway:
    """The gateway serving ``chat`` (the log chat may be on the same platform as the command)."""
    try:
        platform = split_id(chat)[0]
    except ValueError:
        return fallback
    if fallback.platform == platform:
        return fallback
    return services.gateways.get(platform, fallback)


async def carry_out(gateway: ChatGateway, chat: str, user: str, action: Action,
                    duration: timedelta | None) -> Outcome:
    """The platform call of one sanction; warns and flags need none."""
    if action == Action.MUTE:
        return await gateway.mute(chat, user, duration)
    if action == Action.KICK:
        return await gateway.kick(chat, user)
    if action == Action.BAN:
        return await gateway.ban(chat, user, duration)
    return Outcome.success()


def summary(name: str, outcome: Outcome) -> str:
    return f"{name}: {'ok' if outcome.ok else outcome.detail or 'failed'}"


async def sanction(services: Services, gateway: ChatGateway, command: Command, target: Target,
                   action: Action, *, duration: timedelta | None = None,
                   reason: str = "") -> Done:
    """Warn / mute / kick / ban by a moderator: a warn climbs the chat's ladder like any other."""
    chat, now = command.chat, services.clock()
    runtime = services.book.get(chat)
    ladder = runtime.ladder
    caps = gateway.capabilities(chat)
    intended = action
    if intended == Action.MUTE and duration is None:
        duration = ladder.mute_default
    applied = degrade(intended, caps)
    async with services.db.session() as session:
        warns_repo, warn_id, warns = WarnRepo(session), None, 0
        if Action.WARN in (intended, applied):
            warn_id = await warns_repo.add(chat, target.user_id, reason=reason or "moderator",
                                           at=now, expires_at=now + ladder.warn_expiry,
                                           actor=actor_of(command))
            warns = await warns_repo.active_count(chat, target.user_id, now)
            step = ladder.escalate(warns)
            if step is not None and step.action > applied:
                intended, duration = step.action, step.duration
                applied = degrade(intended, caps)
        entry = LogEntry(
            chat=chat, user_id=target.user_id, action=applied, created_at=now,
            actor=actor_of(command), message_id=target.message_id, reason=reason,
            content=command_content(command, target, original_of(services, chat, target)),
            warn_id=warn_id,
            degraded_from=intended if applied != intended else None,
            until=now + duration if duration and applied in (Action.MUTE, Action.BAN) else None,
        )
        log_id = await LogRepo(session).add(entry)
    outcome = await carry_out(gateway, chat, target.user_id, applied, duration)
    called = applied in (Action.MUTE, Action.KICK, Action.BAN)
    detail = summary(applied.label, outcome) if called else "ok"
    if applied != intended:
        detail = f"degraded {intended.label}→{applied.label}; {detail}"
    await services.store.set_outcome(log_id, detail)
    services.snapshots.invalidate(chat, target.user_id)
    await relay(services, gateway, log_id)
    return Done(log_id, applied, intended, outcome, warns, duration)


async def record(services: Services, gateway: ChatGateway, command: Command,
                 target: Target | None, *, outcome: str, reason: str = "",
                 user_id: str = "") -> int:
    """Store a moderator action that sanctions nobody (unmute, unwarn, approve, undo …)."""
    entry = LogEntry(
        chat=command.chat, user_id=user_id or (target.user_id if target else ""),
        action=Action.ALLOW, created_at=services.clock(), actor=actor_of(command),
        message_id=target.message_id if target else "", reason=reason,
        content=command_content(command, target, original_of(services, command.chat, target)),
        outcome=outcome,
    )
    async with services.db.session() as session:
        return await LogRepo(session).add(entry)


async def relay(services: Services, gateway: ChatGateway, log_id: int | None) -> None:
    """Hand a log entry to the log chat relay when one is installed."""
    relay_ = services.extras.get("mod_relay")
    if relay_ is not None and log_id is not None:
        try:
            await relay_.post(log_id, gateway)
        except Exception:
            log.exception("could not relay log entry %s", log_id)
