"""Entry gate: muted until the rules are accepted or the challenge solved in time, else removed."""

from __future__ import annotations

from bot.events import ButtonPress, JoinRequest, MemberJoined, MemberLeft, Sender, direct_chat
from handlers.community.common import get
from tests.community.conftest import CHAT, Bot, BotFactory

NEWCOMER = Sender("test:50", "Newbie")
GATE = {"gate": {"enabled": True, "timeout": "5m"}}


async def join(bot: Bot, user: Sender = NEWCOMER, message_id: str = "77") -> None:
    await bot.services.dispatcher(MemberJoined(CHAT, user, bot.clock(), message_id=message_id),
                                  bot.gateway)


async def press(bot: Bot, data: str, user: Sender = NEWCOMER, chat: str = CHAT) -> None:
    await bot.services.dispatcher(ButtonPress(chat, user, bot.clock(), data), bot.gateway)


def buttons(bot: Bot) -> list[str]:
    return [b.data for b in bot.gateway.of("send")[-1].args["buttons"]]


async def test_a_newcomer_is_muted_welcomed_and_freed_by_accepting_the_rules(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(GATE, extra={"defaults": {"language": "en", "rules": ["Be kind"],
                                                      "features": GATE}})
    await join(bot)
    assert bot.gateway.of("delete")[0].args["message_ids"] == ["77"]  # service message cleaned
    assert bot.gateway.of("mute")[0].args == {"user": NEWCOMER.id, "duration": None}
    welcome = bot.gateway.of("send")[0]
    assert "Welcome, Newbie" in welcome.args["text"] and "1. Be kind" in welcome.args["text"]
    assert buttons(bot) == [f"g|{CHAT}|ok"]
    await press(bot, f"g|{CHAT}|ok", user=Sender("test:51", "Other"))  # not their button
    assert bot.gateway.of("unmute") == []
    await press(bot, f"g|{CHAT}|ok")
    assert bot.gateway.of("unmute")[0].args == {"user": NEWCOMER.id}
    bot.clock.advance(minutes=10)
    await get(bot.services).scheduler.run_due(bot.clock())
    assert bot.gateway.of("kick") == []


async def test_a_newcomer_who_does_nothing_is_removed_after_the_timeout(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(GATE)
    await join(bot)
    hub = get(bot.services)
    bot.clock.advance(minutes=4)
    await hub.scheduler.run_due(bot.clock())
    assert bot.gateway.of("kick") == []
    bot.clock.advance(minutes=2)
    await hub.scheduler.run_due(bot.clock())
    assert bot.gateway.of("kick")[0].args == {"user": NEWCOMER.id}


async def test_the_challenge_needs_the_right_sum_and_a_wrong_one_removes(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({"gate": {"enabled": True, "mode": "challenge"}})
    await join(bot)
    text = bot.gateway.of("send")[0].args["text"]
    a, b = (int(x) for x in text.split("answer within")[1].split(":")[1].split("=")[0]
            .split("+"))
    options = buttons(bot)
    assert len(options) == 4 and f"g|{CHAT}|{a + b}" in options
    await press(bot, f"g|{CHAT}|{a + b}")
    assert bot.gateway.of("unmute")
    second = Sender("test:52", "Second")
    await join(bot, second, "78")
    text = bot.gateway.of("send")[-1].args["text"]
    a, b = (int(x) for x in text.split("answer within")[1].split(":")[1].split("=")[0]
            .split("+"))
    wrong = next(d for d in buttons(bot) if not d.endswith(f"|{a + b}"))
    await press(bot, wrong, user=second)
    assert bot.gateway.of("kick")[0].args == {"user": second.id}


async def test_join_requests_pass_the_gate_in_private_before_approval(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(GATE)
    await bot.services.dispatcher(JoinRequest(CHAT, NEWCOMER, bot.clock(), ref="f1"),
                                  bot.gateway)
    private = bot.gateway.of("send")[0]
    assert private.chat == direct_chat(NEWCOMER.id) and "Before you join" in private.args["text"]
    assert bot.gateway.of("approve_join") == []
    await press(bot, f"g|{CHAT}|ok", chat=NEWCOMER.id)
    assert bot.gateway.of("approve_join")[0].args == {"user": NEWCOMER.id, "ref": "f1"}
    await join(bot)  # the approved member arrives: not gated a second time
    assert bot.gateway.of("mute") == []


async def test_an_unanswered_join_request_is_declined_after_the_timeout(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory(GATE)
    await bot.services.dispatcher(JoinRequest(CHAT, NEWCOMER, bot.clock(), ref="f1"),
                                  bot.gateway)
    bot.clock.advance(minutes=6)
    await get(bot.services).scheduler.run_due(bot.clock())
    assert bot.gateway.of("decline_join")[0].args == {"user": NEWCOMER.id, "ref": "f1"}


async def test_a_gated_request_to_a_full_group_joins_the_waitlist(
        bot_factory: BotFactory) -> None:
    bot = await bot_factory({**GATE, "capacity": {"enabled": True, "capacity": 1}})
    await join(bot, Sender("test:1", "Only"))
    await press(bot, f"g|{CHAT}|ok", user=Sender("test:1", "Only"))
    await bot.services.dispatcher(JoinRequest(CHAT, NEWCOMER, bot.clock()), bot.gateway)
    await press(bot, f"g|{CHAT}|ok", chat=NEWCOMER.id)
    assert bot.gateway.of("approve_join") == []
    assert "waiting list" in bot.last()
    await bot.services.dispatcher(MemberLeft(CHAT, Sender("test:1"), bot.clock(),
                                             message_id="90"), bot.gateway)
    assert bot.gateway.of("approve_join")[0].args["user"] == NEWCOMER.id
    assert ["90"] in [c.args["message_ids"] for c in bot.gateway.of("delete")]
