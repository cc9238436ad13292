"""Gateway calls arrive at the stand-in as the right OneBot actions with the right params."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.adapters.onebot import standin_events as ev
from bot.events import JoinRequest
from bot.gateway import Button, Capability, ChatGateway
from bot.i18n import t

from .conftest import RecordingSink, Served
from .conftest import until as _until
from .test_connection import TOKEN, connected

CHAT = "qq:123456789"


async def test_gateway_implements_the_chat_gateway_protocol(serve: Callable[..., Any]) -> None:
    served: Served = await serve()
    assert isinstance(served.adapter.gateway, ChatGateway)
    assert served.adapter.gateway.platform == "qq"


async def test_mute_is_set_group_ban_with_seconds_and_unmute_is_zero(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    gateway = served.adapter.gateway
    try:
        assert (await gateway.mute(CHAT, "qq:20004", timedelta(minutes=10))).ok
        assert (await gateway.mute(CHAT, "qq:20004", None)).ok
        assert (await gateway.mute(CHAT, "qq:20004", timedelta(days=90))).ok
        assert (await gateway.unmute(CHAT, "qq:20004")).ok
        assert [p["duration"] for p in impl.of("set_group_ban")] == [600, 2592000, 2592000, 0]
        assert impl.of("set_group_ban")[0] == {
            "group_id": 123456789, "user_id": 20004, "duration": 600,
        }
    finally:
        await impl.close()


async def test_kick_and_ban_are_set_group_kick_with_and_without_rejecting_rejoins(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    gateway = served.adapter.gateway
    try:
        assert (await gateway.kick(CHAT, "qq:20004")).ok
        assert (await gateway.ban(CHAT, "qq:20005")).ok
        assert impl.of("set_group_kick") == [
            {"group_id": 123456789, "user_id": 20004, "reject_add_request": False},
            {"group_id": 123456789, "user_id": 20005, "reject_add_request": True},
        ]
        unban = await gateway.unban(CHAT, "qq:20005")
        assert not unban.ok and unban.detail.startswith("unsupported")
    finally:
        await impl.close()


async def test_delete_sends_one_delete_msg_per_id_and_reports_failures(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        assert (await served.adapter.gateway.delete(CHAT, ["11", "-12"])).ok
        assert impl.of("delete_msg") == [{"message_id": 11}, {"message_id": -12}]
        impl.failures["delete_msg"] = (100, "message not found")
        outcome = await served.adapter.gateway.delete(CHAT, ["13"])
        assert not outcome.ok and "message not found" in outcome.detail
    finally:
        await impl.close()


async def test_join_requests_are_answered_with_their_flags_in_arrival_order(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        for n in range(5):
            await impl.send(ev.join_request(123456789, 30000 + n, f"flag-{n}"))
        await _until(lambda: len(sink.events) == 5)
        gateway = served.adapter.gateway
        requests = [e for e in sink.events if isinstance(e, JoinRequest)]
        for request in requests[:4]:
            assert (await gateway.approve_join(request.chat, request.user.id, request.ref)).ok
        assert (await gateway.decline_join(CHAT, requests[4].user.id, requests[4].ref)).ok
        answers = impl.of("set_group_add_request")
        assert [a["flag"] for a in answers] == [f"flag-{n}" for n in range(5)]
        assert [a["approve"] for a in answers] == [True] * 4 + [False]
        assert answers[0]["sub_type"] == "add"
        missing = await gateway.approve_join(CHAT, "qq:1", "")
        assert not missing.ok and "flag" in missing.detail
    finally:
        await impl.close()


async def test_reply_carries_reply_and_at_segments_and_buttons_become_text(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        await impl.send(ev.group_message(123456789, 20004, [ev.text("ad")], message_id=4242))
        await _until(lambda: len(sink.events) == 1)
        buttons = [Button(t("Rules", "群规"), url="https://example.org/rules"),
                   Button(t("I am human", "我是真人"), data="verify:1")]
        sent = await served.adapter.gateway.send(
            CHAT, "请勿发广告", reply_to="4242", buttons=buttons, lang="zh-CN"
        )
        assert sent is not None and sent.isdigit()
        (params,) = impl.of("send_group_msg")
        assert params["group_id"] == 123456789
        segments = params["message"]
        assert segments[0] == {"type": "reply", "data": {"id": "4242"}}
        assert segments[1] == {"type": "at", "data": {"qq": "20004"}}
        text = segments[-1]["data"]["text"]
        assert text.startswith("请勿发广告") and "群规: https://example.org/rules" in text
        assert "我是真人" in text
    finally:
        await impl.close()


async def test_member_and_group_info_give_roles_times_and_counts(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    impl.answers["get_group_member_info"] = lambda p: {
        "user_id": p["user_id"], "role": "admin", "card": "老王",
        "join_time": 1_700_000_000, "last_sent_time": 1_700_086_400,
    }
    try:
        info = await served.adapter.member_info(CHAT, "qq:20006")
        assert info is not None and info.role.label == "admin" and info.name == "老王"
        assert info.last_sent_at is not None and info.last_sent_at.timestamp() == 1_700_086_400
        again = await served.adapter.member_info(CHAT, "qq:20006")
        assert again == info and len(impl.of("get_group_member_info")) == 1
        await impl.send(ev.group_admin(123456789, 20006, sub_type="unset"))
        await _until(lambda: (CHAT, "qq:20006") not in served.adapter.gateway._members)
        await served.adapter.member_info(CHAT, "qq:20006")
        assert len(impl.of("get_group_member_info")) == 2
        group = await served.adapter.group_info(CHAT)
        assert group is not None and (group.member_count, group.max_member_count) == (498, 500)
        assert await served.adapter.member_count(CHAT) == 498  # where capacity starts
        members = await served.adapter.member_list(CHAT)
        assert [m.user for m in members] == ["qq:20001", "qq:20002"]
    finally:
        await impl.close()


async def test_calls_for_another_platform_are_refused_without_traffic(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        outcome = await served.adapter.gateway.kick("tg:-100123", "tg:1")
        assert not outcome.ok
        assert served.adapter.gateway.capabilities("tg:-100123") == frozenset()
        assert impl.actions == []
    finally:
        await impl.close()


async def test_private_chats_can_only_be_sent_to(serve: Callable[..., Any]) -> None:
    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        chat = "qq:private:20001"
        assert served.adapter.gateway.capabilities(chat) == {Capability.SEND}
        assert await served.adapter.gateway.send(chat, "hello") is not None
        assert impl.of("send_private_msg")[0]["user_id"] == 20001
    finally:
        await impl.close()


async def test_qq_implementations_can_do_everything_but_buttons(
    serve: Callable[..., Any],
) -> None:
    for impl in ("napcat", "llbot", "go-cqhttp"):
        served: Served = await serve(impl=impl)
        caps = served.adapter.gateway.capabilities(CHAT)
        assert caps == set(Capability) - {Capability.BUTTONS}


async def test_a_member_is_written_to_in_private_never_in_the_group_sharing_their_number(
    serve: Callable[..., Any],
) -> None:
    from bot.events import direct_chat

    served: Served = await serve(access_token=TOKEN)
    impl = await connected(served)
    try:
        assert await served.adapter.gateway.send(direct_chat("qq:20001"), "a login link") \
            is not None
        assert impl.of("send_private_msg")[0]["user_id"] == 20001
        assert impl.of("send_group_msg") == []
    finally:
        await impl.close()
