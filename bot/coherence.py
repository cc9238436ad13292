"""Workers' caches kept coherent: what one worker invalidates (member snapshots, the runtime
book on /reload), every other forgets too, within the bus's delivery time."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.config import LoadedConfig
from bot.events import Role
from bot.knowledge_store import DomainState, TextPost
from bot.policy import MemberSnapshot
from bot.runtime import RuntimeBook
from bot.snapshots import SnapshotCache

log = logging.getLogger(__name__)

Deliver = Callable[[str], Awaitable[None]]


class Bus(Protocol):
    """A broadcast every worker hears (``storage.redis_bus`` implements it on Redis)."""

    async def publish(self, message: str) -> None: ...

    async def start(self, deliver: Deliver,
                    resumed: Callable[[], Awaitable[None]] | None = None) -> None:
        """Call ``deliver`` with every message published from now on (by any worker), and
        ``resumed`` after messages may have been missed (a lost connection, back)."""
        ...

    async def stop(self) -> None: ...


class LocalBus:
    """Implements ``Bus`` in memory: every ``LocalBus`` built on one ``hub`` list hears the
    others (tests, and one process)."""

    def __init__(self, hub: list[LocalBus] | None = None) -> None:
        self.hub = hub if hub is not None else []
        self.hub.append(self)
        self._deliver: Deliver | None = None

    async def publish(self, message: str) -> None:
        for bus in self.hub:
            if bus._deliver is not None:
                await bus._deliver(message)

    async def start(self, deliver: Deliver,
                    resumed: Callable[[], Awaitable[None]] | None = None) -> None:
        self._deliver = deliver  # in memory: nothing is ever missed

    async def stop(self) -> None:
        self._deliver = None


class Coherence:
    """Announces this worker's invalidations and applies other workers' (never its own).

    Messages: ``{"o": origin, "k": "member"|"warned"|"chat"|"reload"|"post"|"domain"|"shadow"
    |"raid", "c": chat, "u": user}`` (a warn adds the member's active warns ``n``, and when the
    worker holds the member's snapshot, that snapshot ``s`` and its age ``a``; a post its
    message id ``m``, time ``t`` and sketch ``s``; a domain its host ``d`` and state ``v``; a
    shadow switch the chat's overrides ``v``; a raid switched on the seconds it lasts ``r``).
    ``on_reload`` re-reads the configuration when another worker ran /reload; ``on_post`` and
    ``on_domain`` take another worker's learned state (``bot.knowledge``); ``on_shadow`` a
    moderator's /shadow switch (``handlers.moderation.shadow``); ``on_raid`` a raid another
    worker's report switched on (``bot.raid_shared``). Messages missed while the bus was
    away are not replayed: when it is back, cached snapshots are dropped and every
    ``on_resume`` hook re-reads its shared state (the chats' /shadow overrides, raid switches).
    """

    def __init__(self, bus: Bus, *, on_reload: Callable[[], Awaitable[None]] | None = None
                 ) -> None:
        self.bus = bus
        self.origin = uuid.uuid4().hex
        self.on_reload = on_reload
        self.on_post: Callable[[TextPost], None] | None = None
        self.on_domain: Callable[[str, str, DomainState | None], None] | None = None
        self.on_shadow: Callable[[str, str], None] | None = None
        self.on_raid: Callable[[str, float], None] | None = None
        self.snapshots: CoherentSnapshots | None = None
        self.on_resume: list[Callable[[], Awaitable[object]]] = []
        self.received = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def announce(self, kind: str, chat: str = "", user: str | None = None,
                 **extra: str) -> None:
        """Publish in the background (invalidation is synchronous where it happens)."""
        message = json.dumps({"o": self.origin, "k": kind, "c": chat, "u": user, **extra})
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous test): nobody else to tell
            return
        task = loop.create_task(self._publish(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def announce_post(self, post: TextPost) -> None:
        self.announce("post", post.chat, post.sender, m=post.message_id,
                      t=post.at.isoformat(), s=post.sketch.hex())

    def announce_domain(self, chat: str, host: str, state: DomainState | None) -> None:
        self.announce("domain", chat, d=host, v=_state_json(state))

    def announce_raid(self, chat: str, left: float) -> None:
        self.announce("raid", chat, r=repr(left))

    async def _publish(self, message: str) -> None:
        try:
            await self.bus.publish(message)
        except Exception as exc:  # the TTL still bounds staleness
            log.warning("could not announce an invalidation: %s", exc)

    async def deliver(self, raw: str) -> None:
        try:
            message: dict[str, Any] = json.loads(raw)
        except ValueError:
            return
        if message.get("o") == self.origin:
            return
        self.received += 1
        kind, chat, user = message.get("k"), str(message.get("c") or ""), message.get("u")
        if kind in ("member", "chat") and self.snapshots is not None:
            self.snapshots.forget(chat, str(user) if kind == "member" and user else None)
        elif kind == "reload" and self.on_reload is not None:
            await self.on_reload()
        elif kind == "warned" and self.snapshots is not None and user:
            self.snapshots.adopt_warn(chat, str(user), int(message["n"]),
                                      _member_of(str(user), int(message["n"]), message))
        elif kind == "shadow" and self.on_shadow is not None:
            self.on_shadow(chat, str(message["v"]))
        elif kind == "raid" and self.on_raid is not None:
            self.on_raid(chat, float(message["r"]))
        elif kind == "domain" and self.on_domain is not None:
            self.on_domain(chat, str(message["d"]), _state_of(str(message["d"]), message["v"]))
        elif kind == "post" and self.on_post is not None:
            self.on_post(TextPost(chat, str(user), str(message["m"]),
                                  datetime.fromisoformat(message["t"]),
                                  bytes.fromhex(message["s"])))

    async def start(self) -> None:
        await self.bus.start(self.deliver, self.resumed)

    async def resumed(self) -> None:
        """The bus is back after messages may have been missed: read shared state again."""
        if self.snapshots is not None:
            self.snapshots.forget_all()
        for hook in self.on_resume:
            await hook()

    async def stop(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bus.stop()


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _member_json(snapshot: MemberSnapshot) -> str:
    return json.dumps([int(snapshot.role), _when(snapshot.joined_at), _when(snapshot.first_seen),
                       snapshot.message_count, snapshot.points, snapshot.approved,
                       snapshot.voice_allowed])


def _member_of(user: str, warns: int, message: dict[str, Any]
               ) -> tuple[MemberSnapshot, timedelta] | None:
    """The snapshot a warn's message carries, with its age (None without one, or if bad)."""
    if "s" not in message:
        return None
    try:
        role, joined, first, count, points, approved, voice = json.loads(message["s"])
        return MemberSnapshot(
            user_id=user, role=Role(role), joined_at=_at(joined), first_seen=_at(first),
            message_count=int(count), warns_active=warns, points=float(points),
            approved=bool(approved), voice_allowed=bool(voice),
        ), timedelta(seconds=float(message["a"]))
    except (KeyError, TypeError, ValueError):
        return None


def _state_json(state: DomainState | None) -> str:
    if state is None:
        return "null"
    return json.dumps([_when(state.last_used), list(state.voters), _when(state.trusted_at),
                       _when(state.blocked_until)])


def _state_of(host: str, raw: str) -> DomainState | None:
    value = json.loads(raw)
    if value is None:
        return None
    last_used, voters, trusted_at, blocked_until = value
    return DomainState(host, datetime.fromisoformat(last_used), tuple(voters), _at(trusted_at),
                       _at(blocked_until))


class CoherentSnapshots(SnapshotCache):
    """A snapshot cache whose invalidations (unwarn, a granted voice, a warn, /reload) reach
    every worker through ``coherence``."""

    def __init__(self, *args: Any, coherence: Coherence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coherence = coherence
        coherence.snapshots = self

    def invalidate(self, chat: str, user: str | None = None) -> None:
        super().invalidate(chat, user)
        self.coherence.announce("member" if user is not None else "chat", chat, user)

    def warned(self, chat: str, user: str, warns_active: int) -> None:
        super().warned(chat, user, warns_active)
        hit = self._items.get((chat, user))
        if hit is None:
            self.coherence.announce("warned", chat, user, n=str(warns_active))
            return
        age = (self.clock() - hit[0]).total_seconds()  # its clock's, not ours: sent as an age
        self.coherence.announce("warned", chat, user, n=str(warns_active),
                                s=_member_json(hit[1]), a=f"{age:.3f}")

    def adopt_warn(self, chat: str, user: str, warns_active: int,
                   shared: tuple[MemberSnapshot, timedelta] | None = None) -> None:
        """Another worker's warn: a cached snapshot takes its count as this worker's own warn
        would (no re-read); an uncached member takes the warning worker's snapshot when the
        message carries one (as old as it was there: it expires when it would have there),
        else is read again when next seen."""
        if (chat, user) in self._items:
            super().warned(chat, user, warns_active)
            return
        if shared is None:
            super().invalidate(chat, user)
        else:
            self.adopt(chat, user, *shared)

    def forget(self, chat: str, user: str | None = None) -> None:
        """Another worker's invalidation, applied here only."""
        super().invalidate(chat, user)

    def forget_all(self) -> None:
        """Invalidations may have been missed: every chat is read again when next seen."""
        for chat in {chat for chat, _ in self._items} | set(self._known):
            super().invalidate(chat)


class CoherentBook(RuntimeBook):
    """A runtime book whose /reload makes every worker re-read the configuration."""

    def __init__(self, *args: Any, coherence: Coherence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coherence = coherence

    def reload(self, config: LoadedConfig) -> None:
        super().reload(config)
        self.coherence.announce("reload")

    def apply(self, config: LoadedConfig) -> None:
        """Another worker's reload, applied here only."""
        super().reload(config)
