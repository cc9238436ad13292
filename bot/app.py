"""The composition root: storage, core services, handlers, adapters and the HTTP server, wired."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.engine import make_url

from bot.assembly import (
    contribution_ranking,
    fingerprint,
    learned_knowledge,
    raid_watch,
    reload_from_peer,
    shared_state,
    zone_of,
)
from bot.coherence import Coherence, CoherentBook, CoherentSnapshots
from bot.config import LoadedConfig
from bot.dispatcher import Dispatcher
from bot.enforcer import Enforcer
from bot.events import MemberJoined, Message
from bot.gateway import ChatGateway
from bot.history import ChatHistory
from bot.journal import Journal
from bot.journal_slot import JournalSlot
from bot.ledger import UpdateLedger
from bot.notifier import Notifier
from bot.outbox import Outbox
from bot.outbox_notices import NoticeDesk
from bot.outbox_resume import claim_logged, resume
from bot.registry import Registry
from bot.runtime import RuntimeBook
from bot.snapshots import ActivityBuffer, SnapshotCache
from bot.standing import Standing
from bot.wiring import Adapter
from handlers.messages import MessageHandler
from handlers.services import Services, utcnow
from storage.db import Database
from storage.deletions import SqlPendingDeletions
from storage.logged_actions import SqlLoggedActions
from storage.moderation import SqlModerationStore
from storage.updates import SqlProcessedKeys

log = logging.getLogger(__name__)
#: The collector's thresholds once started (Python's: 700, 10, 10). A young collection walks
#: every young object still alive, and with hundreds of updates in flight many are: every 700
#: allocations it walked them again (bench_telegram: ~250 collections, 240-475 ms in 6,000
#: updates, two full passes of 20-137 ms). Every 10,000: ~15 collections, 110-230 ms, no full
#: pass inside the measured batches
GC_THRESHOLDS = (10_000, 10, 10)


_LIVE: weakref.WeakSet[App] = weakref.WeakSet()


def live_apps() -> list[App]:
    """The apps started in this process and not stopped (test helpers settle them)."""
    return list(_LIVE)


class App:
    """One running qunguan: ``await start()``, then ``await stop()`` (or ``running_app``)."""

    def __init__(
        self,
        config: LoadedConfig,
        *,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        registry: Registry | None = None,
        port: int | None = None,
    ) -> None:
        self.config = config
        self.env = dict(os.environ if env is None else env)
        self.clock = clock
        self.registry = registry or Registry()
        self.port = config.app.server.port if port is None else port
        self.adapters: list[Adapter] = []
        self.web = web.Application()
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.services: Services | None = None
        self._journal_slot: JournalSlot | None = None

    def build(self) -> Services:
        """Create every service (no I/O yet)."""
        cfg = self.config
        db = Database(cfg.app.storage.url)
        store = SqlModerationStore(db)
        gateways: dict[str, ChatGateway] = {}
        shared = shared_state(self.env)  # several workers: traces and coherence on Redis
        coherence = Coherence(shared.bus) if shared is not None else None
        book = RuntimeBook(cfg, self.registry) if coherence is None \
            else CoherentBook(cfg, self.registry, coherence=coherence)

        def auto_delete(chat: str) -> timedelta | None:
            notices = book.get(chat).profile.notices  # follows reloads and migrated ids
            return None if notices.keep else notices.auto_delete

        notifier = Notifier(SqlPendingDeletions(db), gateways, clock=self.clock,
                            auto_delete=auto_delete)
        # several workers share one PostgreSQL: each update and message is claimed there,
        # atomically, before any effect (one process on SQLite keeps the batched window)
        keys = SqlProcessedKeys(db)
        ledger = UpdateLedger(keys, clock=self.clock,
                              shared=keys if db.dialect == "postgresql" else None)
        dispatcher = Dispatcher(ledger)  # its ``faults``: per-cause counters for metrics
        enforcer = Enforcer(store, notifier, standing=Standing(contribution_ranking(db)))
        services = Services(
            config=cfg, db=db, book=book, store=store,
            notifier=notifier,
            enforcer=enforcer,
            snapshots=SnapshotCache(store, clock=self.clock) if coherence is None
            else CoherentSnapshots(store, clock=self.clock, coherence=coherence),
            activity=ActivityBuffer(store, faults=dispatcher.faults, zone=zone_of(book)),
            history=ChatHistory() if shared is None else shared.history,
            dispatcher=dispatcher, ledger=ledger, gateways=gateways, clock=self.clock,
        )
        if shared is not None and coherence is not None:
            coherence.on_reload = lambda: reload_from_peer(services)
            services.extras["shared"], services.extras["coherence"] = shared, coherence
        knowledge = learned_knowledge(db, book)
        if coherence is not None:  # long texts recorded here reach the other workers' scopes
            knowledge.peers, coherence.on_post = coherence.announce_post, knowledge.adopt
            knowledge.domain_peers = coherence.announce_domain
            coherence.on_domain = knowledge.adopt_domain
        messages = MessageHandler(services.book, services.enforcer, services.snapshots,
                                  services.activity, services.history,
                                  fingerprint=fingerprint(), clock=self.clock,
                                  knowledge=knowledge)
        services.extras["messages"] = messages
        services.extras["knowledge"] = knowledge
        services.extras.setdefault("flushers", []).append(knowledge.flush)
        services.extras.setdefault("shutdown", []).append(lambda _: keys.close())  # claims'
        services.dispatcher.on(Message, messages)
        from handlers.setup import install_handlers

        install_handlers(services)
        self.services = services
        from bot.adapters.metrics import wire_metrics

        wire_metrics(self)  # /metrics as server.metrics says (the enforcer shares the meter)
        return services

    def _adapters(self, services: Services) -> list[Adapter]:
        from bot.wiring import build_adapters

        return build_adapters(self.config, services, self.env)

    async def start(self) -> None:
        services = self.services or self.build()
        await services.db.upgrade()
        # the default profile's policies build their tables now, not on a member's message
        services.book.get("warm-up").pipeline.warm_up(self.clock())
        services.book.forget("warm-up")
        await services.ledger.load()
        if "coherence" in services.extras:  # hear other workers before the first update
            await services.extras["coherence"].start()
        journal = self._journal_path()
        if journal is not None:  # one process per journal file: a second worker takes its own
            self._journal_slot = JournalSlot(journal)
            journal = self._journal_slot.path
        services.dispatcher.acks.journal = Journal(journal) if journal is not None else None
        services.dispatcher.acks.durable_flushes = True  # the flush loop commits them
        logged = SqlLoggedActions(services.db)
        if journal is not None:  # replayed messages already logged are not handled twice
            await claim_logged(logged, services.ledger.messages, Journal(journal).pending())
        await self._dashboard(services)
        self.adapters = self._adapters(services)
        for adapter in self.adapters:
            services.gateways[adapter.gateway.platform] = adapter.gateway
            adapter.install(self.web)
        self._runner = web.AppRunner(self.web, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.app.server.host, self.port)
        await site.start()
        self.port = self._bound_port(site)
        self._announce_dashboard(services)
        for adapter in self.adapters:
            await adapter.start()
        services.notifier.start()
        # running, platform calls leave the update path: per chat, batched, rate-limited and
        # retried (built but not started, as in pipeline tests, the enforcer acts in line)
        raids = raid_watch(self.config.app.raid, services)  # shared by workers on Redis
        enforcer = services.enforcer
        enforcer.outbox = Outbox(enforcer.record, NoticeDesk(services.notifier, raids), raids)
        services.dispatcher.settlers.append(enforcer.outbox.drain)
        services.dispatcher.on(MemberJoined, enforcer.outbox.on_join, first=True)
        await resume(logged, enforcer.outbox, services.gateways, self.clock())
        for hook in services.extras.get("startup", []):
            await hook(services)
        _LIVE.add(self)
        self._tasks.append(asyncio.create_task(self._flush_loop(services), name="qunguan-flush"))

    async def _dashboard(self, services: Services) -> None:
        """The owner's dashboard on this server, when its use-cases are installed."""
        desk, links = services.extras.get("desk"), services.extras.get("login_links")
        if desk is None or links is None:
            return
        from bot.adapters.dashboard.wiring import install_dashboard

        await install_dashboard(self.web, config=self.config, db=services.db, desk=desk,
                                links=links, env=self.env, clock=self.clock)

    def _announce_dashboard(self, services: Services) -> None:
        """Links start at the public address; the playground's owner gets one in the log."""
        links = services.extras.get("login_links")
        if links is None or links.signer is None:
            return
        from bot.adapters.dashboard.wiring import base_url

        links.base = base_url(self.config, self.port)
        if "playground" in services.extras:
            url = links.link("local:owner", name="owner", owner=True, ttl=timedelta(days=1))
            log.info("dashboard for the playground's owner (one use, 24 h): %s", url)
            services.extras["owner_link"] = url

    def _journal_path(self) -> Path | None:
        """Where received updates are journaled (acknowledged once written, replayed after a
        crash): ``QUNGUAN_JOURNAL`` (``off``: no journal); else beside a SQLite database file
        (``q.db`` → ``q.journal``); else, with PostgreSQL, in the working directory, named
        after the config file (``worker1.yaml`` → ``./worker1.journal``): the working
        directory is the service's state directory (a config directory is often read-only),
        and workers started from one directory with their own config files keep their own
        journals. An in-memory SQLite database has none (nothing outlives the process).
        Without a journal, updates are acknowledged only once their effects are flushed."""
        chosen = self.env.get("QUNGUAN_JOURNAL", "")
        if chosen.lower() == "off":
            return None
        if chosen:
            return Path(chosen)
        url = make_url(self.config.app.storage.url)
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                return None
            return Path(str(url.database)).with_suffix(".journal")
        return Path.cwd() / f"{Path(self.config.source).stem or 'qunguan'}.journal"

    @staticmethod
    def _bound_port(site: web.TCPSite) -> int:
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else 0

    async def _flush_loop(self, services: Services, every: float = 2.0,
                          soonest: float = 0.05) -> None:
        """Flush every ``every`` seconds, or as soon as (``soonest`` after) an update
        finished: acknowledging it to the platform waits for this flush."""
        acks = services.dispatcher.acks
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every):
                    await acks.work.wait()
            await asyncio.sleep(soonest)
            marked = acks.mark()
            if await self.flush():
                await acks.committed(marked)

    async def flush(self) -> bool:
        """Write batched counters and processed keys now; False when a write failed."""
        if self.services is None:
            return False
        # the updates handled by now: their effects are written first, then their keys (a
        # stored key lets a replay skip its update); those finishing meanwhile wait a flush
        finished = self.services.ledger.finished()  # shared claims this flush makes durable
        ready = self.services.ledger.ready()
        try:
            await self.services.activity.flush()
            await self.services.enforcer.flush()
            await self.services.notifier.persist()
            for flusher in self.services.extras.get("flushers", []):
                await flusher()
            await self.services.ledger.flush(ready)
            await self.services.ledger.done(finished)
        except Exception:
            log.exception("flush failed; will retry")
            return False
        return True

    async def settle(self) -> None:
        """Wait until every update received so far is handled and durable, and what it left
        to do on the platforms is done (tests; chats are handled concurrently)."""
        if self.services is None:
            return
        acks = self.services.dispatcher.acks
        while acks.pending:
            await acks.moved(1.0)
        await self.services.dispatcher.settle()

    async def stop(self) -> None:
        _LIVE.discard(self)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        outbox = self.services.enforcer.outbox if self.services is not None else None
        if outbox is not None:  # what was decided goes out while the platforms are there
            await outbox.stop(hurry=True)
        for adapter in reversed(self.adapters):
            with contextlib.suppress(Exception):
                await adapter.stop()
        if self.services is not None and self.services.enforcer.outbox is not None:
            await self.services.enforcer.outbox.stop()
        if self.services is not None:
            for hook in self.services.extras.get("shutdown", []):
                with contextlib.suppress(Exception):
                    await hook(self.services)
            await self.services.notifier.stop()
            acks = self.services.dispatcher.acks
            marked = acks.mark()
            if await self.flush():
                await acks.committed(marked)
            if "coherence" in self.services.extras:
                await self.services.extras["coherence"].stop()
                await self.services.extras["shared"].close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.services is not None:
            await self.services.db.dispose()
        if self._journal_slot is not None:
            self._journal_slot.release()


@asynccontextmanager
async def running_app(config: LoadedConfig, **kwargs: Any) -> AsyncIterator[App]:
    """Start an App for the duration of a block (tests, tools)."""
    app = App(config, **kwargs)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def serve_forever(app: App, *, stop_after: timedelta | None = None) -> None:
    """Run until SIGTERM or SIGINT (Ctrl-C), or for ``stop_after``; then stop gracefully,
    flushing every buffer (service managers and containers stop with SIGTERM)."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stopping.set)
            handled.append(sig)
    await app.start()
    # What starting made (config, policies' tables and models, the ORM) lives as long as the
    # process: frozen, the collector's full passes stop walking it (a full pass over it took
    # ~0.5 s in the middle of the message path; issue 21)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        if stop_after is None:
            await stopping.wait()
        else:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(stop_after.total_seconds()):
                    await stopping.wait()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        await app.stop()
