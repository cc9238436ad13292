"""End to end in polling mode: the real PTB Application against the stand-in Bot API."""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.telegram import ALLOWED_UPDATES, TelegramAdapter
from bot.adapters.telegram.standin import StandInBotApi, admin
from bot.events import Event, Kind, Message, Role
from bot.gateway import ChatGateway
from tests.telegram.conftest import GROUP, GROUP_ID, RecordingSink, load, settings_for


async def test_start_registers_commands_in_both_languages_and_polls_allowed_updates(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await api.wait_for("getUpdates")
    await adapter.stop()
    assert api.methods()[:2] == ["getMe", "setMyCommands"]
    default, chinese = api.of("setMyCommands")
    assert "language_code" not in default
    assert default["commands"][0] == {"command": "warn", "description": "Warn the replied member"}
    assert chinese["language_code"] == "zh"
    assert chinese["commands"][1] == {"command": "mute", "description": "禁言成员"}
    assert "deleteWebhook" in api.methods()
    polled = api.of("getUpdates")[0]
    assert polled["allowed_updates"] == list(ALLOWED_UPDATES) and polled["timeout"] == 1


async def test_start_retries_while_the_bot_api_is_unreachable(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    api.fail("getMe", "network", times=2)
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await adapter.stop()
    assert api.methods()[:4] == ["getMe", "getMe", "getMe", "setMyCommands"]


async def test_polled_message_reaches_sink_with_update_key_and_admin_role(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    api.admins[GROUP] = [admin(111, owner=True), admin(222)]
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await api.feed(load("text_entities"), load("commands")[0])
    await sink.wait(2)
    await adapter.stop()
    (message, key), (command, command_key) = sink.received
    assert key == "tg:1001" and command_key == "tg:1090"
    assert isinstance(message, Message) and message.sender.role is Role.ADMIN
    assert message.of(Kind.LINK)[0].data["host"] == "t.me"
    assert command.sender.role is Role.OWNER  # type: ignore[union-attr]
    assert api.of("getChatAdministrators") == [{"chat_id": GROUP}]  # cached for the second


async def test_every_fixture_shape_flows_through_polling(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    raws = [load(n) for n in ("text_entities", "photo_caption", "voice", "via_bot_buttons",
                               "edited", "topic")]
    for name in ("media_kinds", "forwards", "sender_chat", "members", "bot_and_reactions"):
        raws.extend(load(name))
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await api.feed(*raws)
    expected = len(raws) + 1 - 1  # two joins in one message; the promotion maps to nothing
    await sink.wait(expected)
    await api.wait_for("answerCallbackQuery")
    await adapter.stop()
    kinds = {type(e).__name__ for e in sink.events}
    assert kinds == {"Message", "MemberJoined", "MemberLeft", "JoinRequest", "BotMembership",
                     "Reaction", "ButtonPress", "ChatMigrated"}
    assert sink.keys.count("tg:1070") == 1 and "tg:1070#1" in sink.keys
    assert api.of("answerCallbackQuery") == [{"callback_query_id": "cbq-1"}]


async def test_malformed_update_is_skipped_and_polling_continues(
    api: StandInBotApi, sink: RecordingSink
) -> None:
    adapter = TelegramAdapter(settings_for(api), sink)
    await adapter.start()
    await api.feed(*load("malformed"), load("voice"))
    await sink.wait(1)
    await adapter.stop()
    assert [k for _, k in sink.received] == ["tg:1003"]
    assert api.pending == 0  # every update was acknowledged, none is fetched forever


async def _delete_and_mute_links(event: Event, gateway: ChatGateway) -> None:
    if isinstance(event, Message) and Kind.LINK in event.kinds:
        await gateway.delete(event.chat, [event.message_id])
        await gateway.mute(event.chat, event.sender.id, timedelta(hours=1))


async def test_restart_mid_scenario_resumes_without_repeating_actions(
    api: StandInBotApi,
) -> None:
    sink = RecordingSink(act=_delete_and_mute_links)
    first = TelegramAdapter(settings_for(api), sink)
    await first.start()
    await api.feed(load("text_entities"))
    await api.wait_for("restrictChatMember")
    await first.stop()
    # Telegram redelivers the last update after a crash, then the scenario goes on
    await api.feed(load("text_entities"), load("edited"))
    second = TelegramAdapter(settings_for(api), sink)
    await second.start()
    await sink.wait(3)
    await api.wait_for("restrictChatMember", 2)
    await second.stop()
    assert sink.keys == ["tg:1001", "tg:1001", "tg:1050"]
    assert api.of("deleteMessages") == [{"chat_id": GROUP, "message_ids": [501]},
                                        {"chat_id": GROUP, "message_ids": [550]}]
    muted = api.of("restrictChatMember")
    assert [m["user_id"] for m in muted] == [222, 222]
    assert muted[0]["use_independent_chat_permissions"] is True
    assert not any(muted[0]["permissions"].values())
    assert sink.events[0].chat == GROUP_ID  # type: ignore[union-attr]
