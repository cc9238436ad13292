"""``/metrics`` in the Prometheus text format: the core's plain counters, read at scrape time."""

from __future__ import annotations

import hmac
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from bot import __version__
from bot.faults import Faults
from bot.metrics import MALFORMED_CAUSES, Meter

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

PATH = "/metrics"
Gauges = Mapping[str, tuple[str, Callable[[], float]]]


class QunguanCollector(Collector):
    """Turns a ``Meter``, the ``Faults`` and a few live gauges into metric families; nothing
    is computed until Prometheus asks."""

    def __init__(self, meter: Meter, faults: Faults | None = None,
                 gauges: Gauges | None = None) -> None:
        self.meter = meter
        self.faults = faults or Faults()
        #: name → (help, read): e.g. ``qunguan_outbox_depth``
        self.gauges = dict(gauges or {})

    def collect(self) -> Iterable[Metric]:
        m = self.meter
        yield _counter("qunguan_updates_total", "Deliveries by platform and outcome "
                       "(handled, duplicate, failed, malformed).",
                       ("platform", "outcome"), m.updates.items())
        yield _counter("qunguan_decisions_total", "Decisions at flag or above, by the action "
                       "applied (observe: the action shadow mode would have taken).",
                       ("action", "mode"), m.decisions.items())
        yield _counter("qunguan_symbols_total", "Symbols in decisions at flag or above.",
                       ("symbol",), [((k,), v) for k, v in m.symbols.items()])
        yield _counter("qunguan_platform_calls_total", "Platform calls (Bot API methods, "
                       "OneBot actions), each attempt, by outcome.",
                       ("platform", "method", "outcome"), m.calls.items())
        latency = HistogramMetricFamily("qunguan_platform_call_seconds",
                                        "Latency of one platform call attempt.",
                                        labels=("platform",))
        for platform, hist in sorted(m.latency.items()):
            latency.add_metric([platform], hist.cumulative(), sum_value=hist.total)
        yield latency
        causes = self.faults.snapshot()
        malformed: Counter[tuple[str]] = Counter()
        for (_, cause), n in m.malformed.items():
            malformed[(cause,)] += n
        yield _counter("qunguan_malformed_updates_total", "Updates skipped as malformed, "
                       "by cause.", ("cause",), malformed.items())
        yield _counter("qunguan_errors_total", "Failures and skipped work, by cause "
                       "(handler.<Error>, telegram.update_failed, activity.dropped…).",
                       ("cause",), [((c,), n) for c, n in causes.items()
                                    if c not in MALFORMED_CAUSES])
        for name, (doc, read) in self.gauges.items():
            yield GaugeMetricFamily(name, doc, value=float(read()))
        yield GaugeMetricFamily("qunguan_up", "1 while this process serves.", value=1.0)
        yield GaugeMetricFamily("qunguan_start_time_seconds", "Start time (Unix seconds).",
                                value=m.started)
        info = InfoMetricFamily("qunguan_build", "The running version.")
        info.add_metric([], {"version": __version__})
        yield info


def _counter(name: str, doc: str, labels: tuple[str, ...],
             values: Iterable[tuple[tuple[str, ...], int]]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, doc, labels=labels)
    for key, value in sorted(values):
        family.add_metric(list(key), float(value))
    return family


class MetricsEndpoint:
    """``GET /metrics`` on the main server (token required; no token: 404) or alone on
    127.0.0.1:``port`` (token required only when set). ``port`` is the bound one once up."""

    def __init__(self, registry: CollectorRegistry, *, token: str | None,
                 port: int | None) -> None:
        self.registry = registry
        self.token = token or None
        self.separate = port is not None
        self.port = port
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        if self.token is not None and not _bearer_matches(request, self.token):
            return web.Response(status=401, text="metrics need Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return web.Response(body=generate_latest(self.registry),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self, _: web.Application | None = None) -> None:
        """Bind the separate loopback listener (an ``on_startup`` hook of the main server)."""
        if not self.separate or self._runner is not None:
            return
        alone = web.Application()
        alone.router.add_get(PATH, self.handle)
        self._runner = web.AppRunner(alone, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port or 0)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1]) if sockets else self.port
        log.info("metrics on http://127.0.0.1:%s%s", self.port, PATH)

    async def stop(self, _: web.Application | None = None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _bearer_matches(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())


def install_metrics(app: web.Application, meter: Meter, *, token: str | None,
                    port: int | None = None, faults: Faults | None = None,
                    gauges: Gauges | None = None) -> MetricsEndpoint:
    """A registry of its own (never the global one) with our collector, served as the
    policy says: on ``app`` only with a token (else nothing there: 404), or on its own
    loopback ``port``, started and stopped with ``app``."""
    registry = CollectorRegistry()
    registry.register(QunguanCollector(meter, faults, gauges))
    endpoint = MetricsEndpoint(registry, token=token, port=port)
    if endpoint.separate:
        app.on_startup.append(endpoint.start)
        app.on_cleanup.append(endpoint.stop)
    elif endpoint.token is not None:
        app.router.add_get(PATH, endpoint.handle)
    else:
        log.info("metrics: no %s token and no metrics port: /metrics is not served", PATH)
    return endpoint


WIRED = web.AppKey("qunguan.metrics", MetricsEndpoint)


def wire_metrics(app: App) -> MetricsEndpoint | None:
    """Serve ``app``'s metrics as ``server.metrics`` says (call once its services are built
    and before it starts; again, it returns the same endpoint). One ``Meter`` is shared by
    the dispatcher, the adapters (through it) and the enforcer."""
    if WIRED in app.web:
        return app.web[WIRED]
    settings = app.config.app.server.metrics
    if not settings.enabled:
        return None
    services = app.services or app.build()
    meter = services.dispatcher.meter
    services.enforcer.meter = meter

    def outbox_depth() -> float:
        outbox = services.enforcer.outbox
        return float(outbox.depth) if outbox is not None else 0.0

    def in_flight() -> float:
        total = 0
        for adapter in app.adapters:
            lanes = getattr(getattr(adapter, "application", None), "lanes", None) \
                or getattr(adapter, "_order", None)
            total += len(lanes) if lanes is not None else 0
        return float(total)

    gauges: Gauges = {
        "qunguan_outbox_depth": ("Enforcement orders placed and not yet done.", outbox_depth),
        "qunguan_pending_acks": ("Updates received and not yet durable (unacknowledged).",
                                 lambda: float(services.dispatcher.acks.pending)),
        "qunguan_updates_in_flight": ("Updates being handled now, across chats.", in_flight),
        "qunguan_uptime_seconds": ("Seconds since the counters started.",
                                   lambda: time.time() - meter.started),
    }
    token = app.env.get(settings.token_env, "").strip() or None
    endpoint = install_metrics(app.web, meter, token=token, port=settings.port,
                               faults=services.dispatcher.faults, gauges=gauges)
    app.web[WIRED] = endpoint
    return endpoint
