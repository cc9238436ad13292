"""Mapping real Bot API update shapes (fixtures) to neutral events."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.events import (
    BotMembership,
    ButtonPress,
    ChatMigrated,
    Command,
    JoinRequest,
    Kind,
    MemberJoined,
    MemberLeft,
    Message,
    Reaction,
    Role,
)
from tests.telegram.conftest import GROUP_ID, events_of, load


def one_message(raw: dict[str, object]) -> Message:
    events = events_of(raw)
    assert len(events) == 1
    assert isinstance(events[0], Message)
    return events[0]


def test_text_entities_become_links_mentions_and_contacts() -> None:
    msg = one_message(load("text_entities"))
    assert msg.chat == GROUP_ID and msg.message_id == "501" and msg.update_id == "1001"
    assert msg.sender.id == "tg:222" and msg.sender.username == "bobspam"
    assert msg.sender.role is Role.MEMBER
    assert msg.date == datetime.fromtimestamp(1763800000, UTC) and msg.date.tzinfo is not None
    assert msg.of(Kind.TEXT)[0].text.startswith("加微信")
    links = [(s.text, dict(s.data)) for s in msg.of(Kind.LINK)]
    assert links[0] == ("t.me/spamchan", {"host": "t.me", "source": "entity"})
    assert links[1][1]["host"] == "spam.example.com" and links[1][1]["source"] == "text_link"
    mentions = [dict(s.data) for s in msg.of(Kind.MENTION)]
    assert mentions[0] == {"username": "promo_bot"}
    assert mentions[1]["user_id"] == "tg:111"
    contacts = [dict(s.data) for s in msg.of(Kind.CONTACT)]
    assert contacts == [{"phone": "+8613800138000"}, {"email": "ads@spam.example"}]


def test_photo_album_caption_keeps_largest_size_and_album_id() -> None:
    msg = one_message(load("photo_caption"))
    assert msg.album_id == "13579"
    assert msg.text == "优惠 见 example.org"
    image = msg.of(Kind.IMAGE)[0]
    assert dict(image.data) == {"file_id": "AgAD-large", "file_unique_id": "AQAD1l",
                                "width": "1280", "height": "960", "file_size": "98765"}
    assert msg.of(Kind.LINK)[0].data["host"] == "example.org"


def test_voice_is_a_voice_segment_with_duration() -> None:
    msg = one_message(load("voice"))
    assert msg.kinds == {Kind.VOICE}
    assert msg.of(Kind.VOICE)[0].data["duration"] == "7"
    assert msg.of(Kind.VOICE)[0].data["file_id"] == "AwACvoice"


def test_each_media_kind_maps_to_its_segment_kind() -> None:
    kinds = [one_message(raw).kinds for raw in load("media_kinds")]
    assert kinds == [{Kind.VIDEO_NOTE}, {Kind.AUDIO}, {Kind.VIDEO}, {Kind.STICKER},
                     {Kind.ANIMATION}, {Kind.FILE}, {Kind.CONTACT}, {Kind.LOCATION},
                     {Kind.POLL}, {Kind.DICE}]
    contact = one_message(load("media_kinds")[6]).of(Kind.CONTACT)[0]
    assert contact.data["phone"] == "+8613800138000" and contact.data["user_id"] == "tg:333"
    poll = one_message(load("media_kinds")[8]).of(Kind.POLL)[0]
    assert poll.text == "Best coin?" and poll.data["options"] == "BTC\nSCAM"


def test_forward_origins_user_hidden_chat_channel() -> None:
    origins = [dict(one_message(raw).of(Kind.FORWARD)[0].data) for raw in load("forwards")]
    assert [(o["origin"], o["name"], o["id"]) for o in origins] == [
        ("user", "Carol", "tg:444"), ("hidden", "Secret Dave", ""),
        ("chat", "Other Group", "tg:-1009999"), ("channel", "Spam Channel", "tg:-1008888")]


def test_via_bot_and_url_buttons() -> None:
    msg = one_message(load("via_bot_buttons"))
    assert msg.via_bot == "someinlinebot"
    assert [dict(s.data) for s in msg.of(Kind.LINK)] == [{"host": "t.me", "source": "button"}]
    assert [(s.text, dict(s.data)) for s in msg.of(Kind.BUTTON)] == [
        ("Join now", {"url": "https://t.me/+AbCdEf"}), ("Vote", {})]


def test_channel_poster_and_anonymous_admin_senders() -> None:
    channel, anonymous = (one_message(raw).sender for raw in load("sender_chat"))
    assert channel.id == "tg:-1008888" and channel.is_channel and channel.role is Role.MEMBER
    assert anonymous.id == GROUP_ID and anonymous.is_anonymous_admin
    assert anonymous.role is Role.ADMIN and not anonymous.is_channel


def test_edited_message_is_marked_edited_and_dated_by_the_edit() -> None:
    msg = one_message(load("edited"))
    assert msg.edited and msg.of(Kind.LINK)[0].data["host"] == "t.me"
    assert msg.date == datetime.fromtimestamp(1763800110, UTC)


def test_topic_message_carries_thread_and_no_reply_to_the_topic_root() -> None:
    msg = one_message(load("topic"))
    assert msg.thread_id == "42" and msg.reply_to is None


def test_join_leave_request_and_chat_member_transitions() -> None:
    raws = load("members")
    joined = events_of(raws[0])
    assert [(e.user.id, e.invited_by, e.message_id) for e in joined  # type: ignore[union-attr]
            ] == [("tg:666", "tg:111", "570"), ("tg:667", "tg:111", "570")]
    assert all(isinstance(e, MemberJoined) for e in joined)
    (left,) = events_of(raws[1])
    assert isinstance(left, MemberLeft) and left.user.id == "tg:222" and left.removed_by == ""
    (request,) = events_of(raws[2])
    assert isinstance(request, JoinRequest)
    assert (request.user.id, request.ref, request.bio) == ("tg:888", "888", "crypto signals daily")
    (came,) = events_of(raws[3])
    assert isinstance(came, MemberJoined) and came.user.id == "tg:999" and came.invited_by == ""
    (kicked,) = events_of(raws[4])
    assert isinstance(kicked, MemberLeft) and kicked.removed_by == "tg:111"
    assert events_of(raws[5]) == []  # promotion: no join/leave


def test_bot_membership_reaction_button_and_migration() -> None:
    raws = load("bot_and_reactions")
    (membership,) = events_of(raws[0])
    assert isinstance(membership, BotMembership) and membership.status == "admin"
    assert "can_delete_messages" in membership.rights
    assert "can_restrict_members" not in membership.rights
    assert membership.by is not None and membership.by.role is Role.OWNER
    (reaction,) = events_of(raws[1])
    assert isinstance(reaction, Reaction) and reaction.user_id == "tg:111"
    assert reaction.added == ("🔥", "custom:5368324170671202286") and reaction.removed == ("👍",)
    (press,) = events_of(raws[2])
    assert isinstance(press, ButtonPress)
    assert (press.data, press.message_id, press.query_id) == ("appeal:17", "600", "cbq-1")
    (migrated,) = events_of(raws[3])
    assert migrated == ChatMigrated("tg:-4001", "tg:-1004001", migrated.date)


def test_commands_strip_our_username_and_ignore_other_bots() -> None:
    warn, other, mute = (events_of(raw) for raw in load("commands"))
    (command,) = warn
    assert isinstance(command, Command)
    assert (command.name, command.args) == ("warn", ("spamming", "links"))
    assert command.sender.role is Role.OWNER
    assert command.reply_to is not None and command.reply_to.sender_id == "tg:222"
    assert other == []
    (muted,) = mute
    assert isinstance(muted, Command) and muted.name == "mute"
    assert muted.args == ("@bobspam", "10m") and muted.mentions[0].username == "bobspam"


def test_yaml_moderator_gets_moderator_role() -> None:
    raw = load("forwards")[0]
    raw["message"]["from"] = {"id": 444, "is_bot": False, "first_name": "Carol"}
    assert one_message(raw).sender.role is Role.MODERATOR


def test_malformed_updates_are_skipped_at_the_edge_and_unknown_ones_map_to_nothing() -> None:
    from bot.adapters.telegram.intake import Intake

    intake = Intake()
    parsed = [intake.parse(raw, None) for raw in load("malformed")]
    assert [u.update_id for u in parsed if u is not None] == [1102]
    assert intake.faults.counts["telegram.invalid"] == 2
    from bot.adapters.telegram.mapping import map_update
    from tests.telegram.conftest import CTX

    assert [map_update(u, CTX) for u in parsed if u is not None] == [[]]
