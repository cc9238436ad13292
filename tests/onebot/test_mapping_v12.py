"""OneBot v12 / ComWeChat events map to neutral events; WeChat segments to neutral kinds."""

from __future__ import annotations

from bot.adapters.onebot.v12 import map_event
from bot.events import Command, Kind, MemberJoined, MemberLeft, Message

from .conftest import load


def test_wechat_group_message_maps_extension_segments_to_neutral_kinds() -> None:
    mapped = map_event(load("v12_wechat_group_message"), "wx")
    msg = mapped.event
    assert isinstance(msg, Message)
    assert msg.chat == "wx:2033@chatroom"
    assert msg.sender.id == "wx:wxid_alice"
    assert mapped.self_id == "wxid_bot"
    assert mapped.key == "wx:wxid_bot:6283"
    assert [s.kind for s in msg.segments] == [
        Kind.MENTION, Kind.TEXT, Kind.VOICE, Kind.STICKER, Kind.CARD, Kind.CARD,
        Kind.LOCATION, Kind.UNKNOWN,
    ]
    assert msg.reply_to is not None
    assert (msg.reply_to.message_id, msg.reply_to.sender_id) == ("6280", "wx:wxid_bob")
    link, app = msg.of(Kind.CARD)
    assert link.data["host"] == "mp.weixin.qq.com" and link.text == "兼职日结"
    assert app.data["source"] == "wx.app" and '"appid": "wx1234"' in app.data["raw"]
    assert msg.of(Kind.UNKNOWN)[0].data["type"] == "wx.unknown_thing"
    assert msg.date.year >= 2025


def test_wechat_slash_text_is_a_command() -> None:
    command = map_event(load("v12_wechat_command"), "wx").event
    assert isinstance(command, Command)
    assert (command.chat, command.name, command.args) == ("wx:2033@chatroom", "rules", ())


def test_wechat_red_packet_notice_becomes_a_red_packet_message() -> None:
    event = map_event(load("v12_wechat_redbag_notice"), "wx").event
    assert isinstance(event, Message)
    assert event.sender.id == "wx:wxid_rich"
    assert event.kinds == {Kind.RED_PACKET}


def test_member_increase_and_kick_map_to_joined_and_left() -> None:
    joined = map_event(load("v12_group_member_increase"), "wx").event
    left = map_event(load("v12_group_member_decrease_kick"), "wx").event
    assert isinstance(joined, MemberJoined) and joined.user.id == "wx:wxid_new"
    assert isinstance(left, MemberLeft) and left.removed_by == "wx:wxid_bot_owner"


def test_v12_heartbeat_is_bookkeeping_only() -> None:
    mapped = map_event(load("v12_meta_heartbeat"), "wx")
    assert mapped.meta == "heartbeat" and mapped.event is None


def test_v12_keys_use_the_event_id_for_notices() -> None:
    assert map_event(load("v12_group_member_increase"), "wx").key == "wx:wxid_bot:e:e3"
