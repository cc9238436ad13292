"""OneBot v11 events (spec field tables) map to the right neutral events and segments."""

from __future__ import annotations

import pytest

from bot.adapters.onebot.mapped import MalformedEvent
from bot.adapters.onebot.v11 import map_event
from bot.events import (
    BotMembership,
    Command,
    JoinRequest,
    Kind,
    MemberJoined,
    MemberLeft,
    Message,
    Role,
)

from .conftest import load


def message(name: str) -> Message:
    event = map_event(load(name)).event
    assert isinstance(event, Message)
    return event


def test_record_segment_becomes_voice_with_qualified_ids_and_sender_card() -> None:
    mapped = map_event(load("v11_group_message_record"))
    msg = mapped.event
    assert isinstance(msg, Message)
    assert msg.chat == "qq:123456789"
    assert msg.message_id == "-2147480001"
    assert msg.sender.id == "qq:20001"
    assert msg.sender.name == "明明"
    assert msg.sender.role is Role.MEMBER
    assert msg.kinds == {Kind.VOICE}
    assert msg.segments[0].data["url"] == "https://grouptalk.c2c.qq.com/a1b2"
    assert mapped.key == "qq:10001:-2147480001"
    assert mapped.self_id == "10001"
    assert msg.date.tzinfo is not None


def test_image_sub_type_1_and_face_are_stickers_plain_image_is_image_and_urls_are_links() -> None:
    msg = message("v11_group_message_images")
    kinds = [s.kind for s in msg.segments]
    assert kinds == [Kind.TEXT, Kind.LINK, Kind.IMAGE, Kind.STICKER, Kind.STICKER]
    assert msg.of(Kind.IMAGE)[0].data == {"url": "https://gchat.qpic.cn/7F3A", "file": "7F3A.jpg"}
    assert msg.of(Kind.LINK)[0].data["host"] == "t.example.cn"
    assert msg.sender.role is Role.ADMIN


def test_mface_is_a_sticker_and_owner_role_is_kept() -> None:
    msg = message("v11_group_message_mface")
    (sticker,) = msg.segments
    assert sticker.kind is Kind.STICKER
    assert sticker.data["source"] == "mface"
    assert sticker.text == "[开心]"
    assert msg.sender.role is Role.OWNER


def test_json_miniapp_card_keeps_raw_json_and_finds_its_url() -> None:
    (card,) = message("v11_group_message_json_card").segments
    assert card.kind is Kind.CARD
    assert card.data["source"] == "json"
    assert '"app":"com.tencent.miniapp_01"' in card.data["raw"]
    assert card.data["host"] == "ads.example.com"
    assert card.text == "[QQ小程序]免费领会员"


def test_redbag_segment_is_a_red_packet() -> None:
    (packet,) = message("v11_group_message_redbag").segments
    assert packet.kind is Kind.RED_PACKET
    assert packet.text == "恭喜发财"


def test_mixed_segments_each_map_to_their_kind_and_unknown_is_kept_raw() -> None:
    msg = message("v11_group_message_mixed")
    assert msg.reply_to is not None and msg.reply_to.message_id == "1201"
    assert [s.kind for s in msg.segments] == [
        Kind.MENTION, Kind.TEXT, Kind.VIDEO, Kind.FORWARD, Kind.CARD, Kind.CARD,
        Kind.CONTACT, Kind.LOCATION, Kind.UNKNOWN, Kind.MENTION,
    ]
    assert msg.segments[0].data["user_id"] == "qq:20002"
    assert msg.of(Kind.CARD)[0].data["host"] == "b23.example.tv"
    assert msg.of(Kind.CARD)[1].data["source"] == "xml"
    assert msg.of(Kind.UNKNOWN)[0].data["type"] == "poke"
    assert '"id": "2003"' in msg.of(Kind.UNKNOWN)[0].data["raw"]
    assert msg.segments[-1].data["all"] == "1"
    assert msg.of(Kind.LOCATION)[0].data["latitude"] == "31.2"


def test_slash_text_after_reply_and_at_is_a_command_with_args_and_mentions() -> None:
    command = map_event(load("v11_group_message_command")).event
    assert isinstance(command, Command)
    assert command.name == "warn"
    assert command.args == ("刷屏", "广告")
    assert command.reply_to is not None and command.reply_to.message_id == "1204"
    assert [m.id for m in command.mentions] == ["qq:20005"]
    assert command.sender.role is Role.ADMIN


def test_group_add_request_is_a_join_request_carrying_the_flag() -> None:
    request = map_event(load("v11_request_group_add")).event
    assert isinstance(request, JoinRequest)
    assert request.chat == "qq:123456789"
    assert request.user.id == "qq:30001"
    assert request.ref == "1763800007123456"
    assert "朋友推荐" in request.bio


def test_invite_request_for_the_bot_itself_is_not_a_join_request() -> None:
    raw = load("v11_request_group_add") | {"sub_type": "invite"}
    assert map_event(raw).event is None


def test_group_increase_by_invite_records_the_inviter() -> None:
    joined = map_event(load("v11_notice_group_increase")).event
    assert isinstance(joined, MemberJoined)
    assert joined.user.id == "qq:30002"
    assert joined.invited_by == "qq:20002"


def test_group_decrease_kick_names_the_operator_and_leave_does_not() -> None:
    kicked = map_event(load("v11_notice_group_decrease_kick")).event
    left = map_event(load("v11_notice_group_decrease_leave")).event
    assert isinstance(kicked, MemberLeft) and kicked.removed_by == "qq:20002"
    assert isinstance(left, MemberLeft) and left.removed_by == ""


def test_bot_removed_from_group_is_a_membership_change() -> None:
    raw = load("v11_notice_group_decrease_kick") | {"sub_type": "kick_me", "user_id": 10001}
    event = map_event(raw).event
    assert isinstance(event, BotMembership) and event.status == "kicked"


def test_ban_and_recall_notices_are_logged_without_an_event() -> None:
    ban = map_event(load("v11_notice_group_ban"))
    recall = map_event(load("v11_notice_group_recall"))
    assert ban.event is None and "600s" in ban.note
    assert recall.event is None and "1203" in recall.note


def test_admin_change_invalidates_the_members_role() -> None:
    mapped = map_event(load("v11_notice_group_admin_set"))
    assert mapped.event is None
    assert mapped.invalidate == ("qq:123456789", "qq:20006")


def test_lucky_king_notice_is_a_red_packet_message_from_the_sender() -> None:
    event = map_event(load("v11_notice_lucky_king")).event
    assert isinstance(event, Message)
    assert event.sender.id == "qq:20005"
    assert event.kinds == {Kind.RED_PACKET}


def test_lifecycle_and_heartbeat_are_bookkeeping_only() -> None:
    assert map_event(load("v11_meta_lifecycle")).meta == "lifecycle:connect"
    heartbeat = map_event(load("v11_meta_heartbeat"))
    assert heartbeat.meta == "heartbeat" and heartbeat.event is None


def test_event_missing_its_ids_is_malformed() -> None:
    with pytest.raises(MalformedEvent):
        map_event(load("v11_malformed_message"))


def test_notice_keys_are_stable_across_redelivery() -> None:
    first = map_event(load("v11_notice_group_increase")).key
    again = map_event(load("v11_notice_group_increase")).key
    other = map_event(load("v11_notice_group_decrease_kick")).key
    assert first == again != other


def test_string_format_message_is_kept_as_plain_text() -> None:
    raw = load("v11_group_message_record") | {"message": "hello [CQ:face,id=1]"}
    msg = map_event(raw).event
    assert isinstance(msg, Message)
    assert msg.text == "hello [CQ:face,id=1]"
