"""Pieces the composition root builds from the config: rankings, learned knowledge, zones,
shared state for several workers (the raid switch too), and a peer's /reload."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.coherence import CoherentBook
from bot.config.schema import RaidConfig
from bot.events import Message
from bot.knowledge import Knowledge
from bot.raid import RaidRule, RaidWatch
from bot.raid_shared import SharedRaidWatch
from bot.runtime import RuntimeBook
from bot.standing import Ranking
from storage.db import Database
from storage.knowledge import SqlKnowledgeStore

if TYPE_CHECKING:
    from handlers.services import Services
    from storage.redis_state import RedisState

log = logging.getLogger(__name__)


def contribution_ranking(db: Database) -> Ranking:
    """A chat's members by contribution points, best first (``bot.standing``'s port)."""
    from storage.contributions import ContributionRepo

    async def ranking(chat: str) -> list[tuple[str, float]]:
        async with db.session() as session:
            return await ContributionRepo(session).leaderboard([chat], limit=100_000)

    return ranking


def fingerprint() -> Callable[[str], str]:
    try:
        from policies.normalize import fingerprint
    except ImportError:  # policies not installed: a plain whitespace-folded fingerprint
        return lambda text: "".join(text.split()).lower()
    return fingerprint


def learned_knowledge(db: Database, book: RuntimeBook) -> Knowledge:
    """Learned per-chat state, reading texts and links the way the content policies do."""
    from bot.config import normalise_chat_key

    def scope_of(chat: str) -> tuple[str, tuple[str, ...]]:
        name = book.network_of(chat)
        network = book.config.app.networks.get(name) if name else None
        if network is None:
            return chat, (chat,)
        return "net:" + name, tuple(sorted({chat, *map(normalise_chat_key, network.chats)}))

    try:
        from policies.ads_links import hosts_of
        from policies.normalize import compact, normalize, scanned
    except ImportError:  # policies not installed: plain folding, LINK segments only
        return Knowledge(SqlKnowledgeStore(db), scope_of=scope_of)

    def hosts(message: Message) -> list[str]:
        text = message.text
        return hosts_of(message, normalize(scanned(text)) if text else "")

    return Knowledge(SqlKnowledgeStore(db), core=lambda text: compact(scanned(text)),
                     hosts=hosts, scope_of=scope_of)


def zone_of(book: RuntimeBook) -> Callable[[str], tzinfo | None]:
    """A chat's timezone, so activity is counted by its members' local days."""
    def zone(chat: str) -> tzinfo | None:
        return ZoneInfo(book.get(chat).profile.timezone)

    return zone


def shared_state(env: Mapping[str, str]) -> RedisState | None:
    """Redis for several workers' short-lived shared state, when ``QUNGUAN_REDIS_URL`` is set."""
    url = env.get("QUNGUAN_REDIS_URL", "").strip()
    if not url:
        return None
    from storage.redis_state import connect

    return connect(url)


def raid_watch(config: RaidConfig, services: Services) -> RaidWatch:
    """The raid switch: this process's own, or shared by every worker (Redis, the bus)."""
    rule = RaidRule(ads=config.ads, joins=config.joins, seconds=config.within.total_seconds(),
                    ban=config.ban, lock=config.lock_new_members)
    shared, coherence = services.extras.get("shared"), services.extras.get("coherence")
    if shared is None or coherence is None or (rule.ads <= 0 and rule.joins <= 0):
        return RaidWatch(rule)  # one process, or raid handling off
    watch = SharedRaidWatch(shared.raids, rule, announce=coherence.announce_raid)

    def switched_elsewhere(chat: str, left: float) -> None:
        watch.switch(chat, left)

    coherence.on_raid = switched_elsewhere
    coherence.on_resume.append(watch.resync)  # switches made while the bus was away
    return watch


async def reload_from_peer(services: Services) -> None:
    """Another worker ran /reload: read the same file (an invalid one keeps ours)."""
    from bot.config import ConfigError, load_config

    try:
        loaded = load_config(services.config.source, registry=services.book.registry)
    except ConfigError as exc:
        log.warning("another worker reloaded %s; here it is invalid: %s",
                    services.config.source, "; ".join(exc.problems[:3]))
        return
    if isinstance(services.book, CoherentBook):
        services.book.apply(loaded)
    services.config = loaded
