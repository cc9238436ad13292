"""Telegram Desktop export shapes become the neutral events the adapter would produce."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.events import Command, Kind, MemberJoined, MemberLeft, Message
from bot.tools.export_telegram import TelegramExport, chat_key, peer_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "replay"


def parsed() -> tuple[TelegramExport, dict[str, Message | Command | MemberJoined | MemberLeft]]:
    export = TelegramExport.read(FIXTURES)
    by_id: dict[str, Message | Command | MemberJoined | MemberLeft] = {}
    for event in export.events():
        assert isinstance(event, Message | Command | MemberJoined | MemberLeft)
        key = event.message_id
        by_id[key] = event
    return export, by_id


def test_chat_and_peer_ids_follow_the_bot_api() -> None:
    assert chat_key({"type": "private_supergroup", "id": 42}) == "tg:-10042"
    assert chat_key({"type": "private_group", "id": 42}) == "tg:-42"
    assert peer_id("user7") == ("tg:7", False)
    assert peer_id("channel9") == ("tg:-1009", True)


def test_text_as_a_list_of_entity_parts_keeps_links_and_mentions() -> None:
    _, events = parsed()
    message = events["6"]
    assert isinstance(message, Message)
    assert message.text.startswith("看看这个 https://example.com/notes 和 讲义 @carol 重点")
    links = message.of(Kind.LINK)
    assert [(s.text, s.data["host"]) for s in links] == [
        ("https://example.com/notes", "example.com"),
        ("https://docs.example.org/a", "docs.example.org")]
    assert [s.text for s in message.of(Kind.MENTION)] == ["@carol"]


def test_every_media_type_maps_to_its_kind() -> None:
    _, events = parsed()
    expected = {"7": Kind.VOICE, "8": Kind.VIDEO_NOTE, "9": Kind.STICKER, "10": Kind.ANIMATION,
                "11": Kind.AUDIO, "12": Kind.IMAGE, "13": Kind.FILE, "14": Kind.FORWARD,
                "15": Kind.UNKNOWN}
    for message_id, kind in expected.items():
        event = events[message_id]
        assert isinstance(event, Message) and kind in event.kinds, message_id
    forward = events["14"]
    assert isinstance(forward, Message)
    assert forward.of(Kind.FORWARD)[0].data == {"origin": "channel", "name": "School News",
                                                "id": "tg:-100777"}


def test_joins_leaves_commands_channels_replies_and_dates() -> None:
    export, events = parsed()
    assert isinstance(events["2"], MemberJoined) and events["2"].user.id == "tg:1002"
    assert isinstance(events["3"], MemberJoined) and events["3"].user.id == "tg:1003"
    assert "4" not in events  # names only: counted as joins, no ids to act on
    assert isinstance(events["24"], MemberLeft)
    command = events["20"]
    assert isinstance(command, Command) and command.name == "checkin"
    channel = events["21"]
    assert isinstance(channel, Message) and channel.sender.is_channel
    reply = events["22"]
    assert isinstance(reply, Message) and reply.reply_to is not None
    assert reply.reply_to.sender_id == "tg:1001"
    assert events["5"].date == datetime(2025, 11, 22, 10, 1, tzinfo=UTC)
    assert events["28"].date == datetime(2025, 11, 22, 18, 0, tzinfo=UTC)
    assert (export.stats.joins, export.stats.leaves) == (4, 1)


def test_unknown_shapes_are_counted_never_fatal() -> None:
    export, _ = parsed()
    assert dict(export.stats.unknown) == {
        "entity:sparkles": 1, "media_type:hologram": 1, "service:teleport_group": 1,
        "type:weird": 1, "malformed:KeyError": 1}
    assert dict(export.stats.service) == {"create_group": 1, "pin_message": 1}


def test_a_full_account_export_uses_its_first_chat_with_messages() -> None:
    export = TelegramExport({"chats": {"list": [
        {"type": "personal_chat", "id": 5, "messages": []},
        {"type": "public_supergroup", "id": 6, "messages": [
            {"id": 1, "type": "message", "date_unixtime": "0", "from_id": "user1",
             "text": "hi"}]}]}})
    (event,) = list(export.events())
    assert isinstance(event, Message) and event.chat == "tg:-1006"


def _photo(message_id: int, second: int, sender: str = "user7", **extra: object
           ) -> dict[str, object]:
    return {"id": message_id, "type": "message", "date": f"2021-07-20T03:35:{second:02d}",
            "from": "A", "from_id": sender, "photo": "(File not included.)", "text": "", **extra}


def test_an_albums_photos_count_as_one_album_though_the_export_dropped_its_group_id() -> None:
    raws = [_photo(1, 48), _photo(2, 48), _photo(3, 49), _photo(4, 50),  # one album
            _photo(5, 53),  # three seconds later: another send
            _photo(6, 53, sender="user8"),  # another member
            {"id": 7, "type": "message", "date": "2021-07-20T03:35:53", "from": "A",
             "from_id": "user7", "file": "(x)", "media_type": "sticker", "text": ""},
            *[_photo(10 + n, 59) for n in range(12)]]  # Telegram albums hold ten at most
    export = TelegramExport({"type": "private_supergroup", "id": 42, "messages": raws})
    albums = {e.message_id: e.album_id for e in export.events() if isinstance(e, Message)}
    assert len({albums[str(n)] for n in (1, 2, 3, 4)}) == 1
    assert albums["5"] not in (albums["1"], None)
    assert albums["6"] not in (albums["5"], None)
    assert albums["7"] is None  # stickers are never album items
    assert len({albums[str(10 + n)] for n in range(10)}) == 1
    assert albums["20"] != albums["10"]
