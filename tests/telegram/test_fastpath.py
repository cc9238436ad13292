"""The fast path for plain group messages declines an update or maps it exactly as PTB's path."""

from __future__ import annotations

import copy
from typing import Any, cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.adapters.telegram.admins import AdminCache
from bot.adapters.telegram.fastpath import PlainMessage, message_events
from bot.adapters.telegram.intake import Intake
from bot.adapters.telegram.mapping import map_update
from bot.adapters.telegram.processor import UpdateProcessor
from bot.adapters.telegram.runner import lanes_of
from bot.adapters.telegram.validate import problem
from bot.events import Event, Kind, Message
from tests.telegram.conftest import CTX, GROUP, RecordingSink, load

USER = {"id": 222, "is_bot": False, "first_name": "Bob", "last_name": "Spam",
        "username": "bobspam", "language_code": "zh-hans"}
CHAT = {"id": GROUP, "title": "Test Group", "type": "supergroup", "username": "testgroup"}


def update(text: str = "hello", **fields: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": 700, "from": dict(USER), "chat": dict(CHAT),
                           "date": 1763800000, "text": text, **fields}
    return {"update_id": 5000, "message": {k: v for k, v in msg.items() if v is not None}}


def ptb_events(raw: dict[str, Any]) -> list[Event] | None:
    """PTB's path: None when the intake would refuse the update."""
    if problem(raw) is not None:
        return None
    try:
        parsed = Update.de_json(copy.deepcopy(raw), None)
    except Exception:
        return None
    return map_update(parsed, CTX)


def fast_events(raw: dict[str, Any]) -> list[Event] | None:
    """The fast path through the real intake: None when it declines."""
    carrier = Intake().parse(copy.deepcopy(raw), None)
    if not isinstance(carrier, PlainMessage):
        return None
    return message_events(carrier.raw, carrier.update_id, CTX)


def assert_same(raw: dict[str, Any], *, taken: bool | None = None) -> list[Event] | None:
    fast = fast_events(raw)
    if taken is not None:
        assert (fast is not None) is taken, raw
    if fast is not None:
        assert fast == ptb_events(raw), raw
        assert all(type(e) is Message for e in fast)
    return fast


# -- generated updates ------------------------------------------------------------------------

TEXTS = st.text(st.characters(codec="utf-8"), max_size=40) | st.lists(
    st.sampled_from(["a", "中", "😀", "\ud83d", "\ude00", "@", "/", " ", "é", "\u200d",
                     "t.me/x", "http://e.com"]), max_size=12).map("".join)
TYPES = st.sampled_from(["url", "text_link", "mention", "text_mention", "bot_command", "email",
                         "phone_number", "bold", "hashtag", "custom_emoji", "spoiler",
                         "unknown_type", "URL"])
IDS = st.sampled_from([111, 222, 333, 444, 136817688, 0, GROUP, -1008888, 2**62])
NAMES = st.sampled_from(["", "Bob", "张三", "😀x", "\ud83d"])


@st.composite
def users(draw: st.DrawFn) -> dict[str, Any]:
    user: dict[str, Any] = {"id": draw(IDS), "is_bot": draw(st.booleans()),
                            "first_name": draw(NAMES.filter(bool))}
    for key, value in (("last_name", NAMES), ("username", st.sampled_from(["", "u_1", "Bot"])),
                       ("is_premium", st.booleans()), ("api_kwargs", st.just(1)),
                       ("from_the_future", st.just(1))):
        if draw(st.integers(0, 4)) == 0:
            user[key] = draw(value)
    return user


@st.composite
def chats(draw: st.DrawFn) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": draw(st.sampled_from([GROUP, -1008888, 222])),
                            "type": draw(st.sampled_from(["supergroup", "supergroup", "group",
                                                          "private", "channel", "Group"]))}
    for key, value in (("title", NAMES), ("username", st.just("g")), ("is_forum", st.booleans()),
                       ("first_name", NAMES), ("last_name", NAMES), ("api_kwargs", st.just(2))):
        if draw(st.integers(0, 3)) == 0:
            chat[key] = draw(value)
    return chat


@st.composite
def entities(draw: st.DrawFn, text: str) -> list[dict[str, Any]]:
    size = len(text.encode("utf-16-le", "surrogatepass")) // 2
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 4))):
        entity: dict[str, Any] = {"type": draw(TYPES), "offset": draw(st.integers(-2, size + 1)),
                                  "length": draw(st.integers(-1, size + 1))}
        if draw(st.booleans()):
            entity["url"] = draw(st.sampled_from(["", "https://spam.example/x", "t.me/y"]))
        if draw(st.integers(0, 2)) == 0:
            entity["user"] = draw(users())
        if draw(st.integers(0, 6)) == 0:
            key = draw(st.sampled_from(["language", "unix_time", "api_kwargs"]))
            entity[key] = "py" if key == "language" else 1
        out.append(entity)
    return out


EXTRAS: dict[str, Any] = {
    "caption": "cap", "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1,
                                 "height": 1}], "edit_date": 1763800001,
    "media_group_id": "9", "forward_origin": {"type": "hidden_user", "date": 1,
                                              "sender_user_name": "x"},
    "has_protected_content": True, "author_signature": "sig", "is_from_offline": True,
    "link_preview_options": {"is_disabled": True}, "new_chat_members": [USER],
    "migrate_to_chat_id": 5, "via_bot": {"id": 555, "is_bot": True, "first_name": "Inline",
                                         "username": "someinlinebot"},
    "reply_markup": {"inline_keyboard": [[{"text": "go", "url": "https://x.example"}]]},
    "quote": {"text": "q", "position": 0}, "story": {"chat": CHAT, "id": 1},
    "is_automatic_forward": True, "sender_boost_count": 2, "effect_id": "e",
}


@st.composite
def messages(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    text = draw(TEXTS)
    msg: dict[str, Any] = {"message_id": draw(st.integers(-1, 2**31)),
                           "date": draw(st.sampled_from([0, 1763800000, -5, 2**40, 2**62])),
                           "chat": draw(chats())}
    if depth == 0 or draw(st.booleans()):
        msg["from"] = draw(users())
    if draw(st.integers(0, 3)) == 0:
        msg["sender_chat"] = draw(chats())
    if text or draw(st.integers(0, 5)) == 0:
        msg["text"] = text
    if text and draw(st.booleans()):
        msg["entities"] = draw(entities(text))
    if draw(st.integers(0, 3)) == 0:
        msg["is_topic_message"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        msg["message_thread_id"] = draw(st.integers(1, 99))
    for key in draw(st.lists(st.sampled_from(sorted(EXTRAS)), max_size=2)):
        msg[key] = copy.deepcopy(EXTRAS[key])
    if depth == 1 and draw(st.integers(0, 3)) == 0:
        msg["forum_topic_created"] = draw(st.sampled_from(
            [{"name": "t", "icon_color": 1}, {"name": "t"}, {"name": "t", "icon_color": 1,
                                                             "odd": 1}, "x"]))
    if depth == 0 and draw(st.integers(0, 2)) == 0:
        msg["reply_to_message"] = draw(messages(depth=1))
    return msg


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    raw: dict[str, Any] = {"update_id": draw(st.integers(1, 2**31)), "message": draw(messages())}
    if draw(st.integers(0, 9)) == 0:
        raw[draw(st.sampled_from(["edited_message", "channel_post", "extra"]))] = raw["message"]
    return raw


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(updates())
def test_every_generated_update_is_declined_or_mapped_exactly_as_ptb_maps_it(
        raw: dict[str, Any]) -> None:
    assert_same(raw)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=60), IDS, st.data())
def test_plain_group_texts_are_taken_with_any_text_and_entities(
        text: str, sender: int, data: st.DataObject) -> None:
    raw = update(text, entities=data.draw(entities(text)) or None)
    raw["message"]["from"]["id"] = sender
    first = (raw["message"].get("entities") or [{}])[0]
    command = first.get("type") == "bot_command" and first.get("offset") == 0
    odd_keys = any(e.keys() - {"type", "offset", "length", "url", "user", "language"}
                   or set(e.get("user") or {}) & {"api_kwargs", "from_the_future"}
                   for e in raw["message"].get("entities") or [])
    assert_same(raw, taken=not (command or odd_keys))


# -- hand-written edge cases ------------------------------------------------------------------

def test_utf16_offsets_after_astral_characters_cut_the_same_links_and_mentions() -> None:
    text = "😀😀 看 t.me/spam 找 @promo 和 Alice 电话 +8613800138000 ads@x.example"
    def at(part: str) -> int:
        return len(text[: text.index(part)].encode("utf-16-le")) // 2
    ents = [{"type": "url", "offset": at("t.me"), "length": 9},
            {"type": "mention", "offset": at("@promo"), "length": 6},
            {"type": "text_mention", "offset": at("Alice"), "length": 5,
             "user": {"id": 111, "is_bot": False, "first_name": "Alice"}},
            {"type": "text_link", "offset": 0, "length": 2, "url": "https://spam.example/x"},
            {"type": "phone_number", "offset": at("+86"), "length": 14},
            {"type": "email", "offset": at("ads@"), "length": 13},
            {"type": "url", "offset": at("t.me"), "length": 9}]  # a duplicate: first one kept
    events = assert_same(update(text, entities=ents), taken=True)
    assert events is not None
    msg = cast(Message, events[0])
    assert [s.text for s in msg.of(Kind.LINK)] == ["t.me/spam", "https://spam.example/x"]
    assert [s.text for s in msg.of(Kind.MENTION)] == ["@promo", "Alice"]


def test_a_lone_surrogate_or_a_cut_surrogate_pair_drops_every_entity_alike() -> None:
    assert_same(update("bad \ud83d t.me/x", entities=[{"type": "url", "offset": 6,
                                                       "length": 6}]), taken=True)
    assert_same(update("😀 t.me/x", entities=[{"type": "bold", "offset": 1, "length": 1},
                                               {"type": "url", "offset": 3, "length": 6}]),
                taken=True)


def test_replies_topics_anonymous_admins_and_channels_map_alike() -> None:
    reply = {"message_id": 42, "from": {"id": 111, "is_bot": False, "first_name": "Alice"},
             "chat": CHAT, "date": 1763700000, "text": "the question"}
    assert_same(update(reply_to_message=reply), taken=True)
    root = {**reply, "forum_topic_created": {"name": "Topic", "icon_color": 7322096}}
    assert_same(update(reply_to_message=root, message_thread_id=42, is_topic_message=True),
                taken=True)
    assert_same(update(is_topic_message=True), taken=True)  # a topic without its id
    anonymous = {"id": GROUP, "type": "supergroup", "title": "Test Group"}
    assert_same(update(sender_chat=anonymous, author_signature="boss"), taken=True)
    channel = {"id": -1008888, "type": "channel", "title": "Spam Channel"}
    assert_same(update(sender_chat=channel), taken=True)
    assert_same(update(sender_chat={"id": -1008888, "type": "private", "first_name": "A",
                                    "last_name": "B"}), taken=True)
    by_channel = {**reply, "sender_chat": channel}
    by_channel.pop("from")
    assert_same(update(reply_to_message=by_channel), taken=True)


def test_owner_admin_and_yaml_moderator_roles_come_from_the_same_context() -> None:
    for ident in (111, 333, 444, 222):
        raw = update()
        raw["message"]["from"] = {"id": ident, "is_bot": False, "first_name": "X"}
        assert_same(raw, taken=True)


def test_very_long_text_with_many_entities_maps_alike() -> None:
    text = "加我 t.me/spam " * 2000
    ents = [{"type": "url", "offset": i * 13 + 3, "length": 9} for i in range(0, 2000, 7)]
    assert_same(update(text, entities=ents), taken=True)


def test_commands_media_forwards_service_and_other_updates_keep_ptb_s_path() -> None:
    for name in ("commands", "photo_caption", "voice", "forwards", "members", "edited",
                 "media_kinds", "bot_and_reactions", "via_bot_buttons", "malformed"):
        fixtures = load(name)
        for raw in fixtures if isinstance(fixtures, list) else [fixtures]:
            assert_same(raw, taken=False)
    private = update(chat={"id": 222, "type": "private", "first_name": "Bob"})
    assert_same(private, taken=False)
    assert_same(update(""), taken=False)
    assert_same(update(link_preview_options={"is_disabled": True, "odd": 1}), taken=False)


def test_plain_fixtures_take_the_fast_path() -> None:
    for name in ("text_entities", "topic", "sender_chat"):
        fixtures = load(name)
        for raw in fixtures if isinstance(fixtures, list) else [fixtures]:
            assert_same(raw, taken=True)


def test_a_carrier_waits_in_its_chat_s_lane() -> None:
    updates = Intake().batch([update(), update(chat={**CHAT, "id": -1007})], None)
    assert [type(u) for u in updates] == [PlainMessage, PlainMessage]
    assert [lanes_of(u) for u in updates] == [(f"c{GROUP}",), ("c-1007",)]


async def test_the_processor_loads_the_chat_s_admins_then_delivers_the_carrier_s_events(
        sink: RecordingSink) -> None:
    fetched: list[int] = []

    async def fetch(chat_id: int) -> list[Any]:
        fetched.append(chat_id)
        return []

    processor = UpdateProcessor(sink, cast(Any, None), AdminCache(fetch), CTX)
    raw = update("hi t.me/x", entities=[{"type": "url", "offset": 3, "length": 6}])
    carrier = Intake().parse(copy.deepcopy(raw), None)
    assert isinstance(carrier, PlainMessage)
    await processor(carrier)
    assert fetched == [GROUP] and processor.handled == 1
    assert sink.received == [(e, "tg:5000") for e in ptb_events(raw) or []]
    assert sink.received
