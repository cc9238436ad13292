"""OneBot v12 via ComWeChat: string ids, v12 action names, and no mute or delete capability."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.adapters.onebot import standin_events as ev
from bot.adapters.onebot.standin import StandIn
from bot.events import Kind, Message
from bot.gateway import Capability

from .conftest import RecordingSink, Served
from .conftest import until as _until
from .test_connection import TOKEN

ROOM = "2033@chatroom"
CHAT = f"wx:{ROOM}"


async def wechat(serve: Callable[..., Any]) -> tuple[Served, StandIn]:
    served: Served = await serve(version=12, impl="comwechat", access_token=TOKEN)
    impl = StandIn(served.ws_url, token=TOKEN, version=12, impl="ComWeChat",
                   self_id="wxid_bot")
    assert await impl.connect() == 101
    await impl.send(ev.v12_connect())
    await impl.send(ev.v12_status_update("wxid_bot"))
    return served, impl


async def test_comwechat_settings_default_to_the_wx_platform_and_v12_path(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(version=12, impl="comwechat")
    assert served.adapter.settings.platform == "wx"
    assert served.adapter.settings.ws_path == "/onebot/v12/ws"


async def test_comwechat_can_send_and_kick_but_not_mute_delete_or_answer_requests(
    serve: Callable[..., Any],
) -> None:
    served, impl = await wechat(serve)
    gateway = served.adapter.gateway
    try:
        caps = gateway.capabilities(CHAT)
        assert caps == {Capability.SEND, Capability.KICK}
        assert Capability.MUTE not in caps and Capability.DELETE not in caps
        mute = await gateway.mute(CHAT, "wx:wxid_spam", timedelta(minutes=10))
        delete = await gateway.delete(CHAT, ["6283"])
        approve = await gateway.approve_join(CHAT, "wx:wxid_new", "ref")
        for outcome in (mute, delete, approve):
            assert not outcome.ok and outcome.detail.startswith("unsupported:")
        assert "comwechat" in mute.detail
        assert impl.actions == []  # unsupported calls never reach the implementation
    finally:
        await impl.close()


async def test_comwechat_kick_is_wx_delete_groupmember_through_the_reporting_account(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served, impl = await wechat(serve)
    try:
        await impl.send(ev.v12_group_message(ROOM, "wxid_spam", [ev.wx_link()]))
        await _until(lambda: len(sink.events) == 1)
        outcome = await served.adapter.gateway.kick(CHAT, "wx:wxid_spam")
        assert outcome.ok
        (kick,) = [a for a in impl.actions if a.action == "wx.delete_groupmember"]
        assert kick.params == {"group_id": ROOM, "user_list": ["wxid_spam"]}
        assert kick.self == {"platform": "wechat", "user_id": "wxid_bot"}
    finally:
        await impl.close()


async def test_comwechat_send_is_send_message_to_the_group_mentioning_without_reply_segment(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served, impl = await wechat(serve)
    try:
        await impl.send(ev.v12_group_message(ROOM, "wxid_alice", [ev.text("hi")],
                                             message_id="6283"))
        await _until(lambda: len(sink.events) == 1)
        sent = await served.adapter.gateway.send(CHAT, "warning", reply_to="6283")
        assert sent is not None
        (params,) = impl.of("send_message")
        assert params["detail_type"] == "group" and params["group_id"] == ROOM
        # ComWeChatBotClient refuses a reply segment (10002): the member is mentioned instead
        assert params["message"][0] == {"type": "mention", "data": {"user_id": "wxid_alice"}}
        assert [s["type"] for s in params["message"]] == ["mention", "text", "text"]
    finally:
        await impl.close()


async def test_wechat_red_packet_notice_reaches_the_sink_as_a_red_packet(
    serve: Callable[..., Any], sink: RecordingSink
) -> None:
    served, impl = await wechat(serve)
    try:
        await impl.send(ev.wx_group_redbag(ROOM, "wxid_rich"))
        await _until(lambda: len(sink.events) == 1)
        (event,) = sink.events
        assert isinstance(event, Message) and event.kinds == {Kind.RED_PACKET}
        assert served.adapter.sessions.accounts() == ["wxid_bot"]
    finally:
        await impl.close()


async def test_generic_v12_implementation_gets_only_the_standard_capabilities(
    serve: Callable[..., Any],
) -> None:
    served: Served = await serve(version=12, impl="walle-q", platform="qq")
    assert served.adapter.gateway.capabilities("qq:1") == {Capability.SEND, Capability.DELETE}
