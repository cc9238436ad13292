"""Reverse WebSocket: auth refusal, echo-matched calls, timeouts, reconnects, several accounts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import StandIn
from bot.events import Message

from .conftest import RecordingSink, Served
from .conftest import until as _until

TOKEN = "s3cret-token"


async def connected(served: Served, self_id: str = "10001", **kw: Any) -> StandIn:
    impl = StandIn(served.ws_url, self_id=self_id, token=TOKEN, **kw)
    assert await impl.connect() == 101
    return impl


async def test_missing_bearer_is_refused_with_401(serve: Callable[..., Any]) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = StandIn(served.ws_url, token="")
    try:
        assert await impl.connect() == 401
    finally:
        await impl.close()


async def test_wrong_bearer_is_refused_with_403(serve: Callable[..., Any]) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = StandIn(served.ws_url, token="guess")
    try:
        assert await impl.connect() == 403
        assert served.adapter.sessions.accounts() == []
    finally:
        await impl.close()


async def test_v11_connection_without_self_id_is_refused(serve: Callable[..., Any]) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = StandIn(served.ws_url, token=TOKEN)
    try:
        status = await impl.connect({"Authorization": f"Bearer {TOKEN}"})
        assert status == 400
    finally:
        await impl.close()


async def test_events_over_websocket_reach_the_sink_with_keys(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        await impl.send(ev.lifecycle())
        await impl.send(ev.group_message(555, 20001, [ev.record()], message_id=77))
        await impl.send(ev.heartbeat())
        await impl.send({"post_type": "message"})  # malformed: skipped, not fatal
        await impl.send(ev.group_message(555, 20001, [ev.text("still alive")], message_id=78))
        await _until(lambda: len(sink.events) == 2)
        assert sink.keys == ["qq:10001:77", "qq:10001:78"]
        assert served.adapter.skipped == 1
        session = served.adapter.sessions.session_for("10001")
        assert session is not None and session.last_heartbeat is not None
        assert session.lifecycle == "lifecycle:connect"
    finally:
        await impl.close()


async def test_concurrent_calls_are_matched_to_replies_by_echo(serve: Callable[..., Any]) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    impl.answers["get_group_member_info"] = lambda p: {
        "user_id": p["user_id"], "role": "admin" if p["user_id"] == 3 else "member",
    }
    try:
        chat = "qq:555"
        gateway = served.adapter.gateway
        results = await asyncio.gather(
            *(gateway.call(chat, "get_group_member_info", {"group_id": 555, "user_id": u})
              for u in range(1, 7))
        )
        assert [r.data["user_id"] for r in results] == [1, 2, 3, 4, 5, 6]
        assert [r.data["role"] for r in results].count("admin") == 1
        assert len({a.echo for a in impl.actions}) == 6
    finally:
        await impl.close()


async def test_unanswered_call_times_out_as_a_failure(serve: Callable[..., Any]) -> None:
    served: Served = await serve(access_token=TOKEN, action_timeout=0.2)
    impl = await connected(served)
    impl.silent.add("delete_msg")
    try:
        outcome = await served.adapter.gateway.delete("qq:555", ["9"])
        assert not outcome.ok and "timeout" in outcome.detail
        session = served.adapter.sessions.session_for("10001")
        assert session is not None and session.pending_count() == 0
    finally:
        await impl.close()


async def test_reconnect_replaces_the_old_session_and_calls_use_the_new_one(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    first = await connected(served)
    await first.send(ev.group_message(555, 20001, [ev.text("hi")]))
    await _until(lambda: len(sink.events) == 1)
    await first.disconnect()
    await _until(lambda: served.adapter.sessions.accounts() == [])
    failed = await served.adapter.gateway.kick("qq:555", "qq:20001")
    assert not failed.ok and "no connection" in failed.detail
    second = await connected(served)
    try:
        outcome = await served.adapter.gateway.kick("qq:555", "qq:20001")
        assert outcome.ok
        assert second.of("set_group_kick") == [
            {"group_id": 555, "user_id": 20001, "reject_add_request": False}
        ]
        assert first.of("set_group_kick") == []
    finally:
        await first.close()
        await second.close()


async def test_same_account_connecting_twice_keeps_only_the_newest(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    old = await connected(served)
    new = await connected(served)
    try:
        await _until(lambda: not old.connected)
        assert served.adapter.sessions.accounts() == ["10001"]
    finally:
        await old.close()
        await new.close()


async def test_two_accounts_each_get_the_calls_for_their_own_groups(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    alpha = await connected(served, self_id="111")
    beta = await connected(served, self_id="222")
    try:
        await alpha.send(ev.group_message(1000, 5, [ev.text("a")], self_id=111))
        await beta.send(ev.group_message(2000, 6, [ev.text("b")], self_id=222))
        await _until(lambda: len(sink.events) == 2)
        gateway = served.adapter.gateway
        assert (await gateway.delete("qq:2000", ["42"])).ok
        assert (await gateway.delete("qq:1000", ["41"])).ok
        assert alpha.of("delete_msg") == [{"message_id": 41}]
        assert beta.of("delete_msg") == [{"message_id": 42}]
        assert sorted(served.adapter.sessions.accounts()) == ["111", "222"]
        assert all(isinstance(e, Message) for e in sink.events)
    finally:
        await alpha.close()
        await beta.close()


async def test_split_event_and_api_connections_send_actions_only_on_the_api_one(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    events = StandIn(served.ws_url, self_id="10001", token=TOKEN)
    api = StandIn(served.ws_url, self_id="10001", token=TOKEN)
    try:
        assert await events.connect(events.headers() | {"X-Client-Role": "Event"}) == 101
        assert await api.connect(api.headers() | {"X-Client-Role": "API"}) == 101
        await events.send(ev.group_message(555, 20001, [ev.text("hi")]))
        await _until(lambda: len(sink.events) == 1)
        assert (await served.adapter.gateway.kick("qq:555", "qq:20001")).ok
        assert len(api.of("set_group_kick")) == 1 and events.actions == []
    finally:
        await events.close()
        await api.close()


async def test_two_accounts_in_one_group_deliver_each_message_once_and_fail_over(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    alpha = await connected(served, self_id="111")
    beta = await connected(served, self_id="222")
    try:
        await alpha.send(ev.group_message(3000, 7, [ev.text("one")], self_id=111, message_id=1))
        await _until(lambda: len(sink.events) == 1)
        await beta.send(ev.group_message(3000, 7, [ev.text("one")], self_id=222, message_id=9))
        await _until(lambda: served.adapter.shadowed == 1)
        await alpha.send(ev.group_message(3000, 7, [ev.text("two")], self_id=111, message_id=2))
        await _until(lambda: len(sink.events) == 2)
        await served.adapter.drain()
        assert sink.keys == ["qq:111:1", "qq:111:2"]
        await alpha.disconnect()
        await _until(lambda: served.adapter.sessions.accounts() == ["222"])
        await beta.send(ev.group_message(3000, 7, [ev.text("three")], self_id=222,
                                         message_id=10))
        await _until(lambda: len(sink.events) == 3)
        assert sink.keys[-1] == "qq:222:10"
        assert (await served.adapter.gateway.delete("qq:3000", ["10"])).ok
        assert beta.of("delete_msg") == [{"message_id": 10}]
    finally:
        await alpha.close()
        await beta.close()

