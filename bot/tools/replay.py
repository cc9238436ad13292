"""Replay real chat exports through the whole pipeline in observe mode, at their own times."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import LoadedConfig, ProfileConfig
from bot.events import Event, Sender, split_id
from bot.gateway_fake import RecordingGateway
from bot.policy import MemberSnapshot
from bot.ports import LogEntry, ModerationStore
from bot.serialize import event_from_dict
from bot.standing import Ranking, Standing
from bot.tools.export_telegram import ExportStats, TelegramExport
from bot.tools.replay_report import ReplayReport, ReplayStats
from handlers.services import Services
from storage.db import Database

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class ReplayClock:
    """The replay's notion of now: the timestamp of the event being processed."""

    now: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def observed(config: LoadedConfig, db_url: str) -> LoadedConfig:
    """The same config with every profile and chat in observe mode and a throwaway database."""

    def shadow(profile: ProfileConfig) -> ProfileConfig:
        return profile.model_copy(update={"observe": True, "log_chat": ""})

    storage = config.app.storage.model_copy(update={"url": db_url})
    return replace(
        config, app=config.app.model_copy(update={"storage": storage}),
        default=shadow(config.default),
        profiles={k: shadow(v) for k, v in config.profiles.items()},
        chats={k: shadow(v) for k, v in config.chats.items()},
    )


def read_events(paths: Iterable[Path], stats: ExportStats) -> list[Event]:
    """Telegram Desktop exports (``.json`` or a folder) and JSON-lines neutral events, merged."""
    events: list[Event] = []
    for path in paths:
        if path.suffix == ".jsonl":
            events.extend(_jsonl(path, stats))
            continue
        export = TelegramExport.read(path)
        events.extend(export.events())
        found = export.stats
        stats.messages += found.messages
        stats.commands += found.commands
        stats.joins += found.joins
        stats.leaves += found.leaves
        stats.service.update(found.service)
        stats.unknown.update(found.unknown)
        stats.names.update(found.names)
    events.sort(key=lambda e: e.date)
    return events


def _jsonl(path: Path, stats: ExportStats) -> Iterable[Event]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                event = event_from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                stats.unknown[f"jsonl:{type(exc).__name__}"] += 1
                log.debug("%s:%d skipped: %s", path, number, exc)
                continue
            kind = type(event).__name__
            if kind == "Message":
                stats.messages += 1
            elif kind == "Command":
                stats.commands += 1
            elif kind == "MemberJoined":
                stats.joins += 1
            elif kind == "MemberLeft":
                stats.leaves += 1
            yield event


class BatchedLog:
    """The enforcer's store during a replay: log entries are kept and written in batches.

    Ids handed out are provisional (the database numbers rows when the batch is written);
    a replay's database is thrown away, so only the batching matters, not the numbers.
    """

    def __init__(self, inner: ModerationStore, db: Database) -> None:
        self.inner, self.db = inner, db
        self.pending: list[LogEntry] = []
        self.written = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[BatchedLog]:
        yield self

    async def add_warn(self, chat: str, user_id: str, *, reason: str, at: datetime,
                       expires_at: datetime) -> tuple[int, int]:
        async with self.inner.transaction() as tx:
            return await tx.add_warn(chat, user_id, reason=reason, at=at, expires_at=expires_at)

    async def log(self, entry: LogEntry) -> int:
        self.pending.append(entry)
        return self.written + len(self.pending)

    async def set_outcome(self, log_id: int, outcome: str) -> None:
        index = log_id - self.written - 1
        if 0 <= index < len(self.pending):
            self.pending[index] = replace(self.pending[index], outcome=outcome)

    async def snapshot(self, chat: str, user_id: str, now: datetime) -> MemberSnapshot:
        return await self.inner.snapshot(chat, user_id, now)

    async def touch(self, chat: str, sender: Sender, when: datetime, messages: int) -> None:
        await self.inner.touch(chat, sender, when, messages)

    async def touch_many(self, activity: Sequence[tuple[str, Sender, datetime, int]]) -> None:
        await self.inner.touch_many(activity)

    async def set_outcomes(self, outcomes: Sequence[tuple[int, str]]) -> None:
        for log_id, outcome in outcomes:
            await self.set_outcome(log_id, outcome)

    async def flush(self) -> None:
        from storage.logs import LogRepo

        if not self.pending:
            return
        pending, self.pending = self.pending, []
        async with self.db.session() as session:
            repo = LogRepo(session)
            for entry in pending:
                await repo.add(entry)
        self.written += len(pending)


class _Gateways(dict[str, Any]):
    """A recording gateway per platform, made on first use."""

    def __missing__(self, platform: str) -> RecordingGateway:
        gateway = self[platform] = RecordingGateway(platform)
        return gateway


async def _leaders(services: Services, chats: Sequence[str], today: datetime
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from storage.checkins import CheckinRepo
    from storage.contributions import ContributionRepo

    checkins: list[dict[str, Any]] = []
    async with services.db.session() as session:
        for chat in chats:
            for user, streak in await CheckinRepo(session).leaderboard(chat, today.date(), 10):
                checkins.append({"chat": chat, "user": user, "current": streak.current,
                                 "best": streak.best, "total": streak.total})
        board = await ContributionRepo(session).leaderboard(list(chats), limit=10)
    return checkins, [{"user": u, "points": round(p, 2)} for u, p in board]


def _ranking(services: Services) -> Ranking:
    """The live ranking, after writing the points still batched (the bot writes them every
    minute; a replay runs months in seconds). Read at most once per chat per ten minutes of
    the export's time, and only when a rulebook-only offence would climb past warn."""
    from bot.assembly import contribution_ranking

    ranking = contribution_ranking(services.db)

    async def fresh(chat: str) -> Sequence[tuple[str, float]]:
        for flush in services.extras.get("flushers", []):
            await flush()
        return await ranking(chat)

    return fresh


async def replay(paths: Sequence[Path], config: LoadedConfig, *,
                 progress: Progress | None = None) -> ReplayReport:
    """Run every event of ``paths`` through a fresh, observe-only bot; return what it found."""
    stats = ExportStats()
    events = read_events(paths, stats)
    clock = ReplayClock()
    with tempfile.TemporaryDirectory(prefix="qunguan-replay-") as tmp:
        loaded = observed(config, f"sqlite+aiosqlite:///{Path(tmp) / 'replay.db'}")
        app = App(loaded, env={}, clock=clock, port=0)
        services = app.build()
        services.extras.pop("mod_relay", None)  # no log-chat posts from a replay
        services.notifier.auto_delete = lambda chat: None
        batched = BatchedLog(services.store, services.db)
        services.enforcer.store = batched
        services.snapshots.ttl = timedelta.max  # invalidations still apply; no re-reads
        services.activity.batch = 1_000_000  # written once at the end
        gateways = _Gateways()
        services.gateways = gateways
        services.enforcer.standing = Standing(_ranking(services))
        found = ReplayStats(standing=services.enforcer.standing)
        services.extras["messages"].after.append(found)
        await services.db.upgrade()
        started = time.perf_counter()
        try:
            for index, event in enumerate(events, 1):
                clock.now = event.date
                chat = str(getattr(event, "chat", "") or getattr(event, "new_chat", ""))
                await services.dispatcher(event, gateways[split_id(chat)[0]])
                if index % 2000 == 0:
                    await batched.flush()
                if progress is not None and (index % 500 == 0 or index == len(events)):
                    progress(index, len(events))
            await batched.flush()
            await app.flush()
            for flush in services.extras.get("flushers", []):  # batched feature counters
                await flush()
            elapsed = time.perf_counter() - started
            chats = sorted({getattr(e, "chat", "") for e in events} - {""})
            last = events[-1].date if events else clock.now
            checkins, contributions = await _leaders(services, chats, last)
        finally:
            await services.db.dispose()
    return ReplayReport(
        chats=chats, events=len(events), messages=stats.messages, commands=stats.commands,
        joins=stats.joins, leaves=stats.leaves, seconds=elapsed, stats=found,
        service=dict(stats.service), unknown=dict(Counter(stats.unknown)), names=stats.names,
        checkins=checkins, contributions=contributions, errors=services.dispatcher.errors,
        platform_calls=dict(Counter(c.name for g in gateways.values() for c in g.calls)),
    )
