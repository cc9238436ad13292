"""Fuzzed Telegram updates through the whole app (stand-in Bot API, real PTB, real core): no
update stops moderation, few ERROR lines, no traceback, a small log; an ad afterwards is
still deleted."""

from __future__ import annotations

import copy
import importlib.util
import io
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.mutate import Mutator
from bot.adapters.telegram.standin import StandInBotApi
from tests.onebot.conftest import until
from tests.telegram.conftest import GROUP, load

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("storage.moderation") is None, reason="storage not in the tree")
#: a chat the fuzz never names: fuzzed my_chat_member updates may rightly have told the bot
#: it lost its rights in the fixtures' group
FRESH = -1009990001
FUZZED = int(__import__("os").environ.get("FUZZED", "2000"))
SHAPES = ("text_entities", "photo_caption", "voice", "via_bot_buttons", "edited", "topic")
LISTS = ("media_kinds", "forwards", "sender_chat", "members", "bot_and_reactions", "commands")


def shapes() -> list[dict[str, Any]]:
    raws: list[dict[str, Any]] = [load(n) for n in SHAPES]
    for name in LISTS:
        raws.extend(load(name))
    poisoned = copy.deepcopy(load("voice"))
    poisoned["message"]["from"]["id"] = [1, "x"]  # python-telegram-bot's update task died on it
    button = copy.deepcopy(next(r for r in load("bot_and_reactions") if "callback_query" in r))
    button["callback_query"]["from"]["id"] = [1, "x"]
    return [*raws, poisoned, button]


@contextmanager
def captured_log() -> Iterator[io.StringIO]:
    """What ``qunguan run`` would log (INFO and above, its noisy libraries at WARNING), not
    the stand-in's own access log."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(lambda record: not record.name.startswith("aiohttp.access"))
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "aiosqlite", "alembic")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for name, was in quiet.items():
            logging.getLogger(name).setLevel(was)


def fresh_ad(update_id: int, message_id: int) -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(load("voice"))
    raw["update_id"] = update_id
    message = raw["message"]
    del message["voice"]
    message["from"] = {"id": 987654, "is_bot": False, "first_name": "Spam"}
    message["chat"] = {"id": FRESH, "type": "supergroup", "title": "fresh"}
    message.update(message_id=message_id, text="加薇信 abc12345 领取福利 兼职日结",
                   date=int(time.time()))
    return raw


async def test_fuzzed_updates_never_stop_moderation_and_log_little(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app
    from tests.telegram.test_app import example_config

    config, env = example_config(api, tmp_path)
    fuzz = Mutator(16, shapes(), keep=frozenset({"update_id"}), id_key="update_id",
                   first_id=50_000)
    with captured_log() as log:
        async with running_app(config, env=env, port=0) as app:
            adapter = app.services.extras["telegram"]  # type: ignore[union-attr]
            await api.wait_for("getUpdates")
            batch = list(fuzz.payloads(FUZZED))
            await api.feed(*batch)
            await until(lambda: not api.pending  # every update acknowledged and handled
                        and adapter.processor.handled >= adapter.intake.accepted, 40)
            await api.feed(fresh_ad(99_999, 99_999))
            await until(lambda: any(c["chat_id"] == FRESH for c in api.of("deleteMessages")), 20)
            faults = dict(adapter.faults.counts)
            restarts = adapter.watchdog.restarts
    text = log.getvalue()
    errors = [line for line in text.splitlines() if " ERROR " in line or " CRITICAL " in line]
    assert "Traceback" not in text, text[text.index("Traceback") - 300:][:3000]
    assert len(errors) < FUZZED / 1000, errors[:5]
    assert len(text.encode()) < 1_000_000 * FUZZED / 10_000
    assert faults.get("telegram.invalid", 0) > FUZZED / 10  # the odd ones were counted
    assert restarts == 0
    assert any(c["chat_id"] == GROUP for c in api.of("deleteMessages"))  # fuzzed ads too
