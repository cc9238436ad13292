"""End to end in webhook mode: our aiohttp server, the secret header, PTB's Application."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.adapters.telegram import ALLOWED_UPDATES, TelegramAdapter
from bot.adapters.telegram.standin import StandInBotApi
from bot.events import Event, JoinRequest, Message
from bot.gateway import ChatGateway
from tests.telegram.conftest import GROUP, RecordingSink, load, settings_for

SECRET = "s3cret-token"


@asynccontextmanager
async def served(api: StandInBotApi, sink: RecordingSink) -> AsyncIterator[tuple[str, object]]:
    """Our aiohttp server on a random port carrying the adapter's webhook route."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram/webhook"
    adapter = TelegramAdapter(
        settings_for(api, mode="webhook", webhook_url=url, webhook_secret=SECRET), sink)
    app = web.Application()
    adapter.install(app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    await adapter.start()
    try:
        yield url, adapter
    finally:
        await adapter.stop()
        await runner.cleanup()


async def test_start_sets_webhook_with_secret_and_allowed_updates(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    async with served(api, sink) as (url, _):
        pass
    (hook,) = api.of("setWebhook")
    assert hook == {"url": url, "secret_token": SECRET, "allowed_updates": list(ALLOWED_UPDATES),
                    "drop_pending_updates": False}
    assert "getUpdates" not in api.methods(ignore=frozenset())


async def test_secret_header_missing_is_401_and_wrong_is_403(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    async with served(api, sink) as (url, _):
        assert await api.post_update(url, load("voice")) == 401
        assert await api.post_update(url, load("voice"), secret="guess") == 403
        assert await api.post_update(url, load("voice"), secret=SECRET) == 200
        await sink.wait(1)
    assert sink.keys == ["tg:1003"]


async def _approve_and_delete(event: Event, gateway: ChatGateway) -> None:
    if isinstance(event, JoinRequest):
        await gateway.approve_join(event.chat, event.user.id, event.ref)
    elif isinstance(event, Message):
        await gateway.delete(event.chat, [event.message_id])


async def test_webhook_retry_of_an_update_changes_nothing(api: StandInBotApi) -> None:
    sink = RecordingSink(act=_approve_and_delete)
    join_request = load("members")[2]
    async with served(api, sink) as (url, _):
        for raw in (join_request, join_request, load("edited"), load("edited")):
            assert await api.post_update(url, raw, secret=SECRET) == 200
        await sink.wait(4)
        await api.wait_for("deleteMessages")
    assert sink.keys == ["tg:1072", "tg:1072", "tg:1050", "tg:1050"]
    assert api.of("approveChatJoinRequest") == [{"chat_id": GROUP, "user_id": 888}]
    assert api.of("deleteMessages") == [{"chat_id": GROUP, "message_ids": [550]}]


async def test_malformed_webhook_updates_are_acknowledged_and_skipped_bad_bodies_are_400(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    async with served(api, sink) as (url, _):
        assert await api.post_update(url, "{not json", secret=SECRET) == 400
        for raw in load("malformed"):
            assert await api.post_update(url, raw, secret=SECRET) == 200
        assert await api.post_update(url, load("voice"), secret=SECRET) == 200
        await sink.wait(1)
    assert sink.keys == ["tg:1003"]
