"""``/metrics`` through the whole app and the stand-in Bot API: a message, an ad deleted and a
malformed update are counted exactly, the text parses with prometheus-client's parser, and
only the bearer of the metrics token reads it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.metrics import wire_metrics
from bot.adapters.telegram.standin import StandInBotApi
from bot.app import App
from tests.telegram.conftest import GROUP
from tests.telegram.test_app import SETTLED, ad, example_config, log_entries, pytestmark

__all__ = ["pytestmark"]
TOKEN = "metrics-token-for-tests"


@asynccontextmanager
async def started(api: StandInBotApi, tmp_path: Path, *, token: str | None = TOKEN,
                  port: int | None = None) -> AsyncIterator[App]:
    """The example config's app, metrics wired as the composition root will wire them."""
    config, env = example_config(api, tmp_path, chats=SETTLED)
    if token is not None:
        env["QUNGUAN_METRICS_TOKEN"] = token
    if port is not None:
        server = config.app.server
        metrics = server.metrics.model_copy(update={"port": port})
        config = replace(config, app=config.app.model_copy(update={
            "server": server.model_copy(update={"metrics": metrics})}))
    app = App(config, env=env, port=0)
    app.build()
    wire_metrics(app)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def scrape(port: int, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{port}/metrics", headers=headers or {}) as response:
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition, by name and labels (the parser's own reading)."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def harmless() -> dict[str, Any]:
    raw = ad(0)
    raw["message"]["text"] = "大家好，今天的分享会几点开始？"
    return raw


MALFORMED = {"update_id": 3090, "message": "not an object"}


async def test_message_ad_and_malformed_update_are_counted_exactly_and_parse(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with started(api, tmp_path) as app:
        await api.wait_for("getUpdates")
        await api.feed(harmless(), MALFORMED, ad(1))
        await api.wait_for("deleteMessages", 1)
        await app.settle()
        status, text = await scrape(app.port, {"Authorization": f"Bearer {TOKEN}"})
        (entry,) = await log_entries(app)
    assert status == 200
    found = samples(text)
    assert value(found, "qunguan_updates_total", platform="tg", outcome="handled") == 2
    assert value(found, "qunguan_updates_total", platform="tg", outcome="malformed") == 1
    assert value(found, "qunguan_updates_total", platform="tg", outcome="failed") == 0
    assert value(found, "qunguan_malformed_updates_total", cause="telegram.invalid") == 1
    assert value(found, "qunguan_decisions_total", action=entry.action.label,
                 mode="enforce") == 1
    assert sum(v for (name, _), v in found.items() if name == "qunguan_decisions_total") == 1
    assert entry.symbols and all(value(found, "qunguan_symbols_total", symbol=s) == 1
                                 for s in entry.symbols)
    assert api.of("deleteMessages") == [{"chat_id": GROUP, "message_ids": [801]}]
    assert value(found, "qunguan_platform_calls_total", platform="tg",
                 method="deleteMessages", outcome="ok") == 1
    assert value(found, "qunguan_platform_calls_total", platform="tg",
                 method="sendMessage", outcome="ok") == len(api.of("sendMessage")) == 1
    calls = sum(v for (name, _), v in found.items() if name == "qunguan_platform_calls_total")
    assert value(found, "qunguan_platform_call_seconds_count", platform="tg") == calls
    assert value(found, "qunguan_platform_call_seconds_bucket", platform="tg",
                 le="+Inf") == calls
    assert value(found, "qunguan_outbox_depth") == 0
    assert value(found, "qunguan_pending_acks") == 0
    assert value(found, "qunguan_up") == 1
    assert not any(name == "qunguan_errors_total" for name, _ in found)


async def test_metrics_without_or_with_a_wrong_token_are_refused_with_401(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with started(api, tmp_path) as app:
        missing, _ = await scrape(app.port)
        wrong, body = await scrape(app.port, {"Authorization": "Bearer not-the-token"})
        basic, _ = await scrape(app.port, {"Authorization": f"Basic {TOKEN}"})
    assert (missing, wrong, basic) == (401, 401, 401)
    assert "qunguan_" not in body


async def test_no_metrics_token_means_no_metrics_on_the_main_port(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with started(api, tmp_path, token=None) as app:
        status, _ = await scrape(app.port, {"Authorization": "Bearer anything"})
    assert status == 404


async def test_a_metrics_port_serves_loopback_without_a_token_and_the_main_port_none(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with started(api, tmp_path, token=None, port=0) as app:
        endpoint = wire_metrics(app)  # wired once: the same endpoint again
        assert endpoint is not None and endpoint.port
        alone, text = await scrape(endpoint.port)
        main, _ = await scrape(app.port)
        started_at = samples(text)[("qunguan_start_time_seconds", frozenset())]
    assert (alone, main) == (200, 404)
    assert abs(started_at - time.time()) < 600
