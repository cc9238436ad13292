"""The meter's plain counters, the collector reading them and the /metrics access policy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from telegram.error import BadRequest, RetryAfter

from bot.adapters.metrics import install_metrics
from bot.adapters.onebot.calls import ActionResult, metered
from bot.adapters.telegram.faults import Caller
from bot.dispatcher import Dispatcher
from bot.events import Message, Sender
from bot.faults import Faults
from bot.gateway import ChatGateway
from bot.gateway_fake import RecordingGateway
from bot.ledger import UpdateLedger
from bot.metrics import BUCKETS, Latency, Meter, method_of

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parsed(meter: Meter, faults: Faults | None = None) -> Samples:
    from prometheus_client import generate_latest
    from prometheus_client.registry import CollectorRegistry

    from bot.adapters.metrics import QunguanCollector

    registry = CollectorRegistry()
    registry.register(QunguanCollector(meter, faults))
    text = generate_latest(registry).decode()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def message(message_id: str) -> Message:
    return Message("test:1", message_id, Sender("test:7"), datetime.now(UTC))


def test_latency_buckets_are_inclusive_upper_bounds_and_cumulative() -> None:
    latency = Latency()
    for seconds in (0.001, 0.005, 0.0051, 30.0):
        latency.observe(seconds)
    cumulative = dict(latency.cumulative())
    assert cumulative["0.005"] == 2 and cumulative["0.01"] == 3
    assert cumulative[str(BUCKETS[-1])] == 3 and cumulative["+Inf"] == 4
    assert latency.count == 4 and latency.total == pytest.approx(30.0111)


def test_method_label_never_carries_a_chat_id() -> None:
    assert method_of("deleteMessages(-1001234, 3)") == "deleteMessages"
    assert method_of("answerCallbackQuery") == "answerCallbackQuery"
    assert method_of("rights notice to -1001234") == "other"


async def test_dispatcher_counts_handled_duplicate_and_failed_deliveries_by_platform() -> None:
    dispatcher = Dispatcher(UpdateLedger())

    async def fails_on_two(event: Any, gateway: ChatGateway) -> None:
        if event.message_id == "2":
            raise RuntimeError("boom")

    dispatcher.on(Message, fails_on_two)
    gateway = RecordingGateway(platform="qq")
    await dispatcher(message("1"), gateway, "k1")
    await dispatcher(message("1"), gateway, "k1")  # redelivered
    await dispatcher(message("1"), gateway, "k1-again")  # the same message, a new update id
    await dispatcher(message("2"), gateway, "k2")
    assert dict(dispatcher.meter.updates) == {("qq", "handled"): 1, ("qq", "duplicate"): 2,
                                              ("qq", "failed"): 1}
    assert parsed(dispatcher.meter, dispatcher.faults)[
        ("qunguan_errors_total", frozenset({("cause", "handler.RuntimeError")}))] == 1


@pytest.mark.filterwarnings("ignore:.*retry_after:DeprecationWarning")
async def test_caller_counts_every_attempt_and_leaves_the_retry_sleep_out_of_latency() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    meter = Meter()
    caller = Caller(sleep=sleep, meter=meter)
    answers: list[Exception | None] = [RetryAfter(timedelta(seconds=30)), None]

    async def call() -> str:
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return "done"

    result = await caller("sendMessage(-100, x)", call)

    async def refused() -> str:
        raise BadRequest("Message to delete not found")

    await caller("deleteMessages(-100, 1)", refused)
    assert result.value == "done" and slept == [30]
    assert dict(meter.calls) == {("tg", "sendMessage", "retry_after"): 1,
                                 ("tg", "sendMessage", "ok"): 1,
                                 ("tg", "deleteMessages", "gone"): 1}
    assert meter.latency["tg"].count == 3 and meter.latency["tg"].total < 1.0


async def test_onebot_actions_are_counted_by_outcome() -> None:
    meter = Meter()

    async def reply(result: ActionResult) -> ActionResult:
        return result

    for result in (ActionResult(True), ActionResult.failed("timeout"),
                   ActionResult(False, 102, message="no rights")):
        await metered(meter, "qq", "delete_msg", reply(result))
    assert dict(meter.calls) == {("qq", "delete_msg", "ok"): 1,
                                 ("qq", "delete_msg", "transport"): 1,
                                 ("qq", "delete_msg", "error"): 1}


def test_malformed_causes_are_counted_apart_from_errors() -> None:
    meter, faults = Meter(), Faults()
    meter.malformed_update("qq", "onebot.invalid")
    faults.count("onebot.invalid")
    faults.count("activity.dropped", 3)
    meter.decision("delete", ["AD_LINK", "AD_QR_CODE"])
    meter.decision("mute", ["AD_LINK"], observe=True)
    found = parsed(meter, faults)
    assert found[("qunguan_updates_total",
                  frozenset({("platform", "qq"), ("outcome", "malformed")}))] == 1
    assert found[("qunguan_malformed_updates_total",
                  frozenset({("cause", "onebot.invalid")}))] == 1
    assert [k for k in found if k[0] == "qunguan_errors_total"] == [
        ("qunguan_errors_total", frozenset({("cause", "activity.dropped")}))]
    assert found[("qunguan_symbols_total", frozenset({("symbol", "AD_LINK")}))] == 2
    assert found[("qunguan_decisions_total",
                  frozenset({("action", "mute"), ("mode", "observe")}))] == 1


@asynccontextmanager
async def serving(token: str | None) -> AsyncIterator[int]:
    app = web.Application()
    install_metrics(app, Meter(), token=token)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


async def status(port: int, **headers: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{port}/metrics", headers=headers) as response:
        return response.status


async def test_on_the_main_port_metrics_need_the_bearer_token_and_without_one_do_not_exist(
) -> None:
    async with serving("t0ken") as port:
        assert await status(port) == 401
        assert await status(port, Authorization="Bearer wrong") == 401
        assert await status(port, Authorization="Bearer t0ken") == 200
    async with serving(None) as port:
        assert await status(port, Authorization="Bearer t0ken") == 404
