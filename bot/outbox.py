"""The enforcement outbox: platform actions off the update path, per chat, batched, retried."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.events import MemberJoined
from bot.gateway import Capability, ChatGateway, Outcome
from bot.outbox_notices import Notice, NoticeDesk
from bot.raid import RaidWatch
from bot.verdict import Action

log = logging.getLogger(__name__)

DELETE_BATCH = 100  # Telegram's deleteMessages takes up to 100 ids
_RETRYABLE = ("flood", "network", "error", "retcode -1")


def retryable(outcome: Outcome) -> bool:
    """A failure of the moment (429, 5xx, a dropped connection), worth another try."""
    return not outcome.ok and outcome.detail.startswith(_RETRYABLE)


@dataclass(frozen=True, slots=True)
class Order:
    """What the enforcer decided (and logged as ``log_id``) for one message."""

    gateway: ChatGateway
    chat: str
    user: str
    action: Action
    message_id: str = ""
    duration: timedelta | None = None
    log_id: int | None = None
    prefix: str = ""  # "degraded kick→warn" for the outcome summary
    lang: str = "en"
    notice: Notice | None = None
    auto: bool = True  # decided by the policies (counts toward a raid), not a moderator
    #: the log entry's id to be, when written behind (a raid's ads: ``bot.raid.RaidLog``)
    logged: asyncio.Future[int | None] | None = None


@dataclass
class _Pending:
    order: Order
    parts: set[str]
    outcomes: dict[str, Outcome] = field(default_factory=dict)


@dataclass
class _Lane:
    deletes: list[tuple[str, _Pending]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    full: asyncio.Event = field(default_factory=asyncio.Event)  # a whole batch waits


Record = Callable[[int, str], Awaitable[None]]


class Outbox:
    """``place(order)`` never waits: a chat's deletions go out batched into one call per up to
    100 ids (after the call in flight), sanctions run concurrently under ``in_flight`` (at
    most ``per_chat`` of them for one chat),
    notices go to the ``NoticeDesk``. Failures of the moment are retried per chat with
    backoff, never holding up another chat; every outcome is recorded against its log entry.
    A burst lingers deletions into fuller batches (``linger`` seconds, or ``raid_linger``
    during a raid, ``RaidWatch``, unless a batch of 100 is full sooner); a raid's senders are
    banned.
    """

    def __init__(self, record: Record, notices: NoticeDesk, raids: RaidWatch, *,
                 in_flight: int = 16, per_chat: int = 4, attempts: int = 5,
                 retry_delay: float = 1.0,
                 linger: float = 0.5, raid_linger: float = 1.5,
                 in_line: frozenset[str] = frozenset({"local"})) -> None:
        self.record = record
        #: platforms acted on in line: no round trip to save (the playground)
        self.in_line = in_line
        self.notices = notices
        self.raids = raids
        self.attempts = attempts
        self.retry_delay = retry_delay
        self.linger = linger
        self.raid_linger = raid_linger
        self._limit = asyncio.Semaphore(in_flight)
        #: sanctions in flight per chat: a raid's hundreds of bans take ``per_chat`` of the
        #: ``in_flight`` slots, never all of them from another chat's mute or kick
        self.per_chat = per_chat
        self._chats: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        self._lanes: dict[str, _Lane] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.calls = 0
        #: orders placed and not yet done (the ``qunguan_outbox_depth`` gauge)
        self.depth = 0

    def serves(self, gateway: ChatGateway) -> bool:
        """Whether ``gateway``'s calls go through the outbox (not the in-process ones)."""
        return gateway.platform not in self.in_line

    def place(self, order: Order) -> None:
        caps = order.gateway.capabilities(order.chat)
        pending = _Pending(order, set())
        self.depth += 1
        raid = None
        if order.action >= Action.DELETE and order.message_id:
            pending.parts.add("delete")
            raid = self.raids.ad(order.chat, order.user) if order.auto else None
        sanction = order.action if order.action >= Action.MUTE else None
        if raid is not None and self.raids.rule.ban and order.user not in raid.banned \
                and Capability.BAN in caps:
            raid.banned.add(order.user)
            sanction = Action.BAN if sanction is None else max(sanction, Action.BAN)
            self.notices.raid_started(order.gateway, order.chat, raid, order.lang)
        elif raid is not None:
            self.notices.raid_started(order.gateway, order.chat, raid, order.lang)
        if sanction is not None:
            pending.parts.add(sanction.label)
            self._spawn(self._sanction(pending, sanction))
        if "delete" in pending.parts:
            if Capability.DELETE not in caps:
                pending.parts.discard("delete")
                pending.outcomes["delete"] = Outcome.failure(
                    f"unsupported on {order.gateway.platform}: the message stays")
            else:
                lane = self._lanes.setdefault(order.chat, _Lane())
                lane.deletes.append((order.message_id, pending))
                if len(lane.deletes) >= DELETE_BATCH:
                    lane.full.set()
                if lane.task is None or lane.task.done():
                    lane.task = self._spawn(self._delete(order.chat, lane))
        if order.notice is not None:
            self.notices.add(order.notice)
        if not pending.parts:
            self._spawn(self._done(pending))

    async def on_join(self, event: MemberJoined, gateway: ChatGateway) -> None:
        """A dispatcher handler: joins count toward a raid; during one, with the rule's
        ``lock``, members who join are muted for that long."""
        raid = self.raids.join(event.chat)
        lock = self.raids.rule.lock
        if raid is None or lock is None or event.user.id in raid.locked \
                or Capability.MUTE not in gateway.capabilities(event.chat):
            return
        raid.locked.add(event.user.id)
        self.lock(gateway, event.chat, event.user.id, lock)

    def lock(self, gateway: ChatGateway, chat: str, user: str, duration: timedelta) -> None:
        """Mute a member who joined during a raid (no log entry: the raid summary says it)."""
        self.depth += 1
        self._spawn(self._sanction(_Pending(Order(gateway, chat, user, Action.MUTE,
                                                  duration=duration), {"mute"}), Action.MUTE))

    def _spawn(self, job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _retrying(self, call: Callable[[], Awaitable[Outcome]]) -> Outcome:
        outcome = Outcome.failure("not tried")
        for attempt in range(self.attempts):
            self.calls += 1
            outcome = await call()
            if not retryable(outcome) or attempt + 1 == self.attempts:
                break
            await asyncio.sleep(self.retry_delay * 2**attempt)
        return outcome

    async def _delete(self, chat: str, lane: _Lane) -> None:
        while lane.deletes:
            waiting = len(lane.deletes)
            if waiting < DELETE_BATCH and (waiting >= 2 or self._bursting(chat)):
                # a burst: fuller batches, fewer calls
                wait = self.raid_linger if self.raids.raid(chat) is not None else self.linger
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await lane.full.wait()
            batch, lane.deletes = lane.deletes[:DELETE_BATCH], lane.deletes[DELETE_BATCH:]
            if len(lane.deletes) < DELETE_BATCH:
                lane.full.clear()
            gateway = batch[0][1].order.gateway
            ids = [message_id for message_id, _ in batch]
            outcome = await self._retrying(functools.partial(gateway.delete, chat, ids))
            for _, pending in batch:
                await self._part(pending, "delete", outcome)
        if self._lanes.get(chat) is lane and not lane.deletes:
            del self._lanes[chat]

    def _bursting(self, chat: str) -> bool:
        """A raid, or half a raid's ads within its window: a lone deletion lingers too."""
        rule = self.raids.rule
        return self.raids.raid(chat) is not None or (
            rule.ads > 0 and self.raids.recent_ads(chat) >= max(2, rule.ads // 2))

    async def _sanction(self, pending: _Pending, action: Action) -> None:
        order = pending.order
        gateway, chat, user = order.gateway, order.chat, order.user
        calls: dict[Action, Callable[[], Awaitable[Outcome]]] = {
            Action.MUTE: lambda: gateway.mute(chat, user, order.duration),
            Action.KICK: lambda: gateway.kick(chat, user),
            Action.BAN: lambda: gateway.ban(chat, user, order.duration
                                            if order.action == Action.BAN else None),
        }
        limit, users = self._chats.setdefault(chat, (asyncio.Semaphore(self.per_chat), [0]))
        users[0] += 1
        try:
            async with limit, self._limit:
                outcome = await self._retrying(calls[action])
        finally:
            users[0] -= 1
            if not users[0]:
                del self._chats[chat]
        await self._part(pending, action.label, outcome)

    async def _part(self, pending: _Pending, name: str, outcome: Outcome) -> None:
        if not outcome.ok:
            log.warning("%s in %s failed: %s", name, pending.order.chat, outcome.detail)
        pending.outcomes[name] = outcome
        pending.parts.discard(name)
        if not pending.parts:
            await self._done(pending)

    async def _done(self, pending: _Pending) -> None:
        self.depth -= 1
        order = pending.order
        summary = "; ".join(f"{k}: {'ok' if o.ok else o.detail}"
                            for k, o in pending.outcomes.items())
        if order.prefix:
            summary = f"{order.prefix}; {summary}".rstrip("; ")
        if order.log_id is None and order.logged is not None:  # written behind: recorded
            self._spawn(self._later(order.logged, summary))  # once the entry exists
        elif order.log_id is not None:
            await self._recorded(order.log_id, summary)

    async def _later(self, logged: asyncio.Future[int | None], summary: str) -> None:
        log_id = await logged
        if log_id is not None:
            await self._recorded(log_id, summary)

    async def _recorded(self, log_id: int, summary: str) -> None:
        try:
            await self.record(log_id, summary or "ok")
        except Exception:
            log.exception("outcome of log entry %s not recorded", log_id)

    async def drain(self) -> None:
        """Wait until every placed action and notice is done (tests; graceful stop)."""
        while self._tasks or self.notices.tasks:
            await asyncio.wait([*self._tasks, *self.notices.tasks])

    async def stop(self, grace: float = 5.0, *, hurry: bool = False) -> None:
        """Finish what waits within ``grace`` seconds (``hurry``: notices without their
        window and only wait, nothing cancelled), then cancel the rest."""
        if hurry:
            self.notices.hurry()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace):
                    await self.drain()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                await self.drain()
        for task in [*self._tasks, *self.notices.tasks]:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*self._tasks, *self.notices.tasks, return_exceptions=True)
