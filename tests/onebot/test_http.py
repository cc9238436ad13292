"""HTTP mode: signed event POSTs (HMAC-SHA1) in, actions out to the implementation's HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import post_event
from bot.events import JoinRequest

from .conftest import RecordingSink, Served, load
from .conftest import until as _until

SECRET = "hmac-secret"


@pytest.fixture
async def http_api() -> AsyncIterator[tuple[str, list[tuple[str, dict[str, Any], str]]]]:
    """A stand-in v11 HTTP API: ``POST /<action>``; records (action, params, authorization)."""
    calls: list[tuple[str, dict[str, Any], str]] = []

    async def action(request: web.Request) -> web.Response:
        params = await request.json()
        calls.append((request.match_info["action"], params,
                      request.headers.get("Authorization", "")))
        return web.json_response({"status": "ok", "retcode": 0, "data": None})

    app = web.Application()
    app.router.add_post("/{action}", action)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/"), calls
    await server.close()


async def test_signed_event_is_accepted_and_reaches_the_sink(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(secret=SECRET, http_path="/onebot/v11/http")
    status = await post_event(served.url("/onebot/v11/http"), load("v11_request_group_add"),
                              secret=SECRET)
    assert status == 204
    await served.adapter.drain()
    (event,) = sink.events
    assert isinstance(event, JoinRequest) and event.ref == "1763800007123456"


async def test_bad_signature_is_refused_with_403_and_missing_with_401(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(secret=SECRET, http_path="/onebot/v11/http")
    url = served.url("/onebot/v11/http")
    event = load("v11_group_message_redbag")
    assert await post_event(url, event, secret="not-the-secret") == 403
    assert await post_event(url, event, signature="sha1=00") == 403
    assert await post_event(url, event) == 401
    await served.adapter.drain()
    assert sink.events == []


async def test_http_event_endpoint_without_a_secret_is_not_installed(
    serve: Callable[..., Any],
) -> None:
    with pytest.raises(ValueError, match="secret"):
        await serve(http_path="/onebot/v11/http")


async def test_actions_go_to_the_http_api_with_the_bearer_token(
    serve: Callable[..., Any],
    sink: RecordingSink,
    http_api: tuple[str, list[tuple[str, dict[str, Any], str]]],
) -> None:
    api_url, calls = http_api
    served: Served = await serve(secret=SECRET, http_path="/onebot/v11/http",
                                 api_url=api_url, access_token="tok")
    url = served.url("/onebot/v11/http")
    await post_event(url, ev.group_message(777, 20004, [ev.json_card()], message_id=31),
                     secret=SECRET)
    await _until(lambda: len(sink.events) == 1)
    gateway = served.adapter.gateway
    assert (await gateway.delete("qq:777", ["31"])).ok
    assert (await gateway.mute("qq:777", "qq:20004", None)).ok
    assert [(a, p) for a, p, _ in calls] == [
        ("delete_msg", {"message_id": 31}),
        ("set_group_ban", {"group_id": 777, "user_id": 20004, "duration": 2592000}),
    ]
    assert {auth for _, _, auth in calls} == {"Bearer tok"}
