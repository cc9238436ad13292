"""Hostile Telegram input through the stand-in Bot API: a poisoned update is skipped in one
line and moderation goes on; a dead update task is found and restarted; bad webhook bodies
are refused."""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

import pytest

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.runner import GuardedApplication
from bot.adapters.telegram.standin import StandInBotApi
from tests.onebot.conftest import until
from tests.telegram.conftest import RecordingSink, load, settings_for
from tests.telegram.test_webhook import SECRET, served


def poisoned(update_id: int) -> dict[str, Any]:
    """A member's message whose sender id is a list: it ended python-telegram-bot's task."""
    raw: dict[str, Any] = copy.deepcopy(load("voice"))
    raw["update_id"] = update_id
    raw["message"]["from"]["id"] = [1, "x"]
    return raw


def pressed(update_id: int) -> dict[str, Any]:
    raw = copy.deepcopy(next(r for r in load("bot_and_reactions") if "callback_query" in r))
    raw["update_id"] = update_id
    raw["callback_query"]["from"]["id"] = [1, "x"]
    return raw


async def test_a_list_valued_sender_id_is_skipped_in_one_line_and_the_next_update_handled(
    api: StandInBotApi, sink: RecordingSink, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await api.feed(poisoned(2001), pressed(2002), load("voice"))
    await sink.wait(1)
    await api.feed(poisoned(2003))  # the last of a batch: acknowledged all the same
    await until(lambda: api.pending == 0)
    await adapter.stop()
    assert sink.keys == ["tg:1003"]
    assert adapter.faults.counts["telegram.invalid"] == 3
    skipped = [r.getMessage() for r in caplog.records if "skipping" in r.getMessage()]
    assert skipped == ["skipping telegram update 2001: message.from.id has the wrong type",
                       "skipping telegram update 2002: callback_query.from.id has the wrong type",
                       "skipping telegram update 2003: message.from.id has the wrong type"]
    assert not any(r.exc_info for r in caplog.records)
    assert "Voice" not in caplog.text and "Error while parsing" not in caplog.text


async def test_a_dead_update_task_is_found_and_restarted_without_losing_updates(
    api: StandInBotApi, sink: RecordingSink, caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = TelegramAdapter(settings_for(api, stall_seconds=0.4), sink)
    await adapter.start()
    application = adapter.application
    assert isinstance(application, GuardedApplication)
    fetcher: asyncio.Task[None] = application._Application__update_fetcher_task  # type: ignore[attr-defined]
    fetcher.cancel()  # break it: updates are still polled and acknowledged, none handled
    await asyncio.sleep(0)
    await api.feed(load("voice"), load("text_entities"))
    await until(lambda: api.pending == 0)
    await sink.wait(2, within=5)
    await adapter.stop()
    assert sorted(sink.keys) == ["tg:1001", "tg:1003"]
    assert adapter.watchdog.restarts == 1
    (line,) = [r for r in caplog.records if "restarting the update task" in r.getMessage()]
    assert line.levelno == logging.ERROR
    assert "2 updates acknowledged but none handled" in line.getMessage()


async def test_a_healthy_but_idle_bot_is_never_restarted(
    api: StandInBotApi, sink: RecordingSink,
) -> None:
    adapter = TelegramAdapter(settings_for(api, stall_seconds=0.2), sink)
    await adapter.start()
    await api.feed(load("voice"))
    await sink.wait(1)
    await asyncio.sleep(0.6)
    await adapter.stop()
    assert adapter.watchdog.restarts == 0


async def test_webhook_refuses_bodies_that_are_not_utf8_json_and_skips_odd_updates(
    api: StandInBotApi, sink: RecordingSink,
) -> None:
    from aiohttp import ClientSession

    async with served(api, sink) as (url, adapter):
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with ClientSession() as session:
            for body in (b"{not json", b'{"update_id": 5, "message": "\xff\xfe"}', b"\xff"):
                async with session.post(url, data=body, headers=headers) as resp:
                    assert resp.status == 400
        assert await api.post_update(url, poisoned(3001), secret=SECRET) == 200
        assert await api.post_update(url, load("voice"), secret=SECRET) == 200
        await sink.wait(1)
    assert sink.keys == ["tg:1003"]
    counts = adapter.faults.counts  # type: ignore[attr-defined]
    assert counts["telegram.webhook_body"] == 3 and counts["telegram.invalid"] == 1


async def test_one_ad_under_two_update_ids_is_deleted_once_with_one_warn(
    api: StandInBotApi, tmp_path: Any,
) -> None:
    from bot.app import running_app
    from tests.telegram.test_app import ad, example_config

    config, env = example_config(api, tmp_path)
    first = ad(0)
    again = copy.deepcopy(first)
    again["update_id"] = first["update_id"] + 500  # the same message, numbered anew
    async with running_app(config, env=env, port=0) as app:
        adapter = app.services.extras["telegram"]  # type: ignore[union-attr]
        await api.wait_for("getUpdates")
        await api.feed(first, again)
        await until(lambda: adapter.processor.handled >= 2 and not api.pending, 20)
        await app.services.enforcer.flush()  # type: ignore[union-attr]
        duplicates = app.services.dispatcher.duplicates  # type: ignore[union-attr]
    assert [c["message_ids"] for c in api.of("deleteMessages")] == [[800]]
    assert len(api.of("sendMessage")) == 1  # one warn notice, not a warn and then a mute
    assert duplicates == 1
