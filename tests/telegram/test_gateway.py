"""TelegramGateway against the stand-in: parameters of every call, and the fault cases."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.adapters.telegram.faults import Caller
from bot.adapters.telegram.gateway import TelegramGateway
from bot.adapters.telegram.runner import build_bot
from bot.adapters.telegram.standin import StandInBotApi
from bot.gateway import Button, ChatGateway
from bot.i18n import t
from tests.telegram.conftest import GROUP, GROUP_ID, settings_for


class Sleeps:
    """Records the waits the caller asks for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def gateway(api: StandInBotApi, sleeps: Sleeps) -> AsyncIterator[TelegramGateway]:
    bot = build_bot(settings_for(api))
    async with bot:
        api.calls.clear()  # getMe from initialising the bot
        yield TelegramGateway(bot, Caller(max_retries=3, backoff_base=0.25, sleep=sleeps))


async def test_gateway_satisfies_the_chat_gateway_protocol(gateway: TelegramGateway) -> None:
    assert isinstance(gateway, ChatGateway) and gateway.platform == "tg"


async def test_delete_batches_at_most_100_ids_per_call(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    outcome = await gateway.delete(GROUP_ID, [str(i) for i in range(250, 0, -1)])
    assert outcome.ok
    batches = [c["message_ids"] for c in api.of("deleteMessages")]
    assert [len(b) for b in batches] == [100, 100, 50]
    assert batches[0][:2] == [1, 2] and all(c["chat_id"] == GROUP for c in api.of(
        "deleteMessages"))


async def test_message_already_gone_is_not_an_error(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    api.fail("deleteMessages", "not_found")
    outcome = await gateway.delete(GROUP_ID, ["9"])
    assert outcome.ok and outcome.detail == "already gone"
    assert api.methods() == ["deleteMessages"]  # no retry, no notice


async def test_flood_control_waits_retry_after_then_succeeds(
    api: StandInBotApi, gateway: TelegramGateway, sleeps: Sleeps
) -> None:
    api.fail("restrictChatMember", "429", retry_after=7)
    outcome = await gateway.mute(GROUP_ID, "tg:222", timedelta(minutes=10))
    assert outcome.ok and sleeps.waits == [7.0]
    assert len(api.of("restrictChatMember")) == 2


async def test_flood_control_gives_up_after_bounded_retries(
    api: StandInBotApi, gateway: TelegramGateway, sleeps: Sleeps
) -> None:
    api.fail("banChatMember", "429", times=10, retry_after=2)
    outcome = await gateway.ban(GROUP_ID, "tg:222")
    assert not outcome.ok and outcome.detail.startswith("flood")
    assert sleeps.waits == [2.0, 2.0, 2.0] and len(api.of("banChatMember")) == 4


async def test_network_errors_retry_with_exponential_backoff(
    api: StandInBotApi, gateway: TelegramGateway, sleeps: Sleeps
) -> None:
    api.fail("sendMessage", "network", times=2)
    message_id = await gateway.send(GROUP_ID, "hello")
    assert message_id is not None and sleeps.waits == [0.25, 0.5]


async def test_missing_right_fails_and_tells_admins_once_per_right(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    api.fail("restrictChatMember", "rights", times=3)
    first = await gateway.mute(GROUP_ID, "tg:222", None)
    second = await gateway.mute(GROUP_ID, "tg:223", None)
    assert not first.ok and first.detail.startswith("rights:") and not second.ok
    api.fail("deleteMessages", "forbidden")
    deleted = await gateway.delete(GROUP_ID, ["5"])
    assert deleted.detail.startswith("rights:")
    notices = [c["text"] for c in api.of("sendMessage")]
    assert len(notices) == 2
    assert "can_restrict_members" in notices[0] and "无法禁言" in notices[0]
    assert "can_delete_messages" in notices[1] and "违规消息无法删除" in notices[1]
    gateway.forget_notices(GROUP)  # the bot's rights changed: a new loss is told again
    await gateway.mute(GROUP_ID, "tg:224", None)
    assert len(api.of("sendMessage")) == 3


async def test_mute_restricts_with_independent_permissions_until_a_date(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    assert (await gateway.mute(GROUP_ID, "tg:222", timedelta(hours=2))).ok
    (call,) = api.of("restrictChatMember")
    assert call["user_id"] == 222 and call["use_independent_chat_permissions"] is True
    assert call["permissions"]["can_send_messages"] is False
    assert not any(call["permissions"].values())
    assert abs(call["until_date"] - (time.time() + 7200)) < 60


async def test_unmute_restores_the_chat_default_permissions(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    api.permissions[GROUP] = {"can_send_messages": True, "can_send_photos": False}
    assert (await gateway.unmute(GROUP_ID, "tg:222")).ok
    restored = api.of("restrictChatMember")[0]["permissions"]
    assert restored["can_send_messages"] is True and restored["can_send_photos"] is False
    del api.permissions[GROUP]
    assert (await gateway.unmute(GROUP_ID, "tg:222")).ok
    assert all(api.of("restrictChatMember")[1]["permissions"].values())


async def test_kick_is_ban_then_unban_only_if_banned(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    assert (await gateway.kick(GROUP_ID, "tg:222")).ok
    assert api.methods() == ["banChatMember", "unbanChatMember"]
    assert api.of("unbanChatMember") == [{"chat_id": GROUP, "user_id": 222,
                                          "only_if_banned": True}]


async def test_ban_with_duration_and_channel_senders_use_sender_chat_calls(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    assert (await gateway.ban(GROUP_ID, "tg:222", timedelta(days=1))).ok
    assert abs(api.of("banChatMember")[0]["until_date"] - (time.time() + 86400)) < 60
    assert (await gateway.kick(GROUP_ID, "tg:-1008888")).ok
    muted = await gateway.mute(GROUP_ID, "tg:-1008888", timedelta(hours=1))
    assert muted.ok and muted.detail == "channel sender banned"  # channels cannot be muted
    assert (await gateway.unban(GROUP_ID, "tg:-1008888")).ok
    assert api.of("banChatSenderChat") == [{"chat_id": GROUP, "sender_chat_id": -1008888}] * 2
    assert api.of("unbanChatSenderChat") == [{"chat_id": GROUP, "sender_chat_id": -1008888}]


async def test_join_requests_are_approved_and_declined(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    assert (await gateway.approve_join(GROUP_ID, "tg:888", "888")).ok
    assert (await gateway.decline_join(GROUP_ID, "tg:889", "889")).ok
    assert api.of("approveChatJoinRequest") == [{"chat_id": GROUP, "user_id": 888}]
    assert api.of("declineChatJoinRequest") == [{"chat_id": GROUP, "user_id": 889}]


async def test_send_replies_in_the_topic_with_buttons_in_the_language(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    sent = await gateway.send(
        GROUP_ID, "警告", reply_to="501", thread_id="42", lang="zh",
        buttons=[Button(t("Appeal", "申诉"), data="appeal:1"),
                 Button(t("Rules", "群规"), url="https://example.org/rules")])
    assert sent is not None and sent.isdigit()
    (call,) = api.of("sendMessage")
    assert call["reply_parameters"] == {"message_id": 501, "allow_sending_without_reply": True}
    assert call["message_thread_id"] == 42
    assert call["reply_markup"] == {"inline_keyboard": [
        [{"text": "申诉", "callback_data": "appeal:1"}],
        [{"text": "群规", "url": "https://example.org/rules"}]]}


async def test_send_failure_returns_none_and_bad_ids_never_raise(
    api: StandInBotApi, gateway: TelegramGateway
) -> None:
    api.fail("sendMessage", "bad_request")
    assert await gateway.send(GROUP_ID, "x") is None
    assert not (await gateway.delete("qq:1", ["1"])).ok
    assert not (await gateway.mute(GROUP_ID, "tg:abc", None)).ok


async def test_invite_links_are_created_for_network_invitations(
        gateway: TelegramGateway, api: StandInBotApi) -> None:
    link = await gateway.create_invite_link(GROUP_ID)
    assert link == f"https://t.me/+standin{abs(GROUP)}"
    assert [int(c["chat_id"]) for c in api.of("createChatInviteLink")] == [GROUP]
