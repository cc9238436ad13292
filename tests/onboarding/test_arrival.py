"""The bot added to a group, end to end through the stand-in Bot API: full rights, missing rights
then granted, added by a non-admin, and a channel."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from tests.onboarding.conftest import (
    AD,
    GROUP,
    GROUP_ID,
    MEMBER,
    OWNER,
    STRANGER,
    bot_member,
    membership,
    message,
    press,
    record,
    sent_to,
    serving,
    settle,
)

PARTIAL = {"can_delete_messages": False, "can_restrict_members": False}


async def test_added_with_full_rights_registers_the_chat_and_says_once_what_it_will_do(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with serving(api, tmp_path) as app:
        await api.feed(membership(GROUP, bot_member("administrator")))
        await settle(api)
        (hello,) = sent_to(api, GROUP)
        assert "remove ads" in hello["text"] and "missing" not in hello["text"]
        (row,) = hello["reply_markup"]["inline_keyboard"]
        assert row[0]["callback_data"] == "onboard:rules"
        stored = await record(app, GROUP_ID)
        assert stored.active and stored.profile == "default" and stored.missing_rights == ()
        assert stored.title == "Test Group" and stored.chat_type == "supergroup"
        assert app.services is not None
        assert not app.services.book.get(GROUP_ID).scoring.observe_chat
        await api.feed(press(GROUP, MEMBER, "onboard:rules"))
        await settle(api)
        rules = sent_to(api, GROUP)[-1]["text"]
        assert "No ads" in rules and "remove ads" in rules
    pending = api.of("deleteMessages")
    assert pending == [], "the welcome is deleted later (auto_delete 1h), not at once"


async def test_missing_rights_observe_until_granted_then_confirmed_once(
    api: StandInBotApi, tmp_path: Path
) -> None:
    partial = bot_member("administrator", **PARTIAL)
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        await api.feed(membership(GROUP, partial))
        await settle(api)
        (hello,) = sent_to(api, GROUP)
        text = hello["text"]
        assert "can_delete_messages" in text and "cannot be removed" in text
        assert "can_restrict_members" in text and "mutes, kicks and bans" in text
        assert "can_invite_users" not in text and "only observe" in text
        assert app.services.book.get(GROUP_ID).scoring.observe_chat
        await api.feed(message(GROUP, MEMBER, AD))
        await settle(api)
        assert api.of("deleteMessages") == [], "observe mode: the ad is logged, not removed"

        full = bot_member("administrator")
        await api.feed(membership(GROUP, full, partial))
        await settle(api)
        thanks = sent_to(api, GROUP)[-1]["text"]
        assert "now have" in thanks and "Delete messages" in thanks and "fully on" in thanks
        assert not app.services.book.get(GROUP_ID).scoring.observe_chat
        confirmations = len(sent_to(api, GROUP))
        await api.feed(membership(GROUP, full, full))  # the same rights reported again
        await settle(api)
        assert len(sent_to(api, GROUP)) == confirmations, "a grant is confirmed only once"
        await api.feed(message(GROUP, MEMBER, AD))
        await api.wait_for("deleteMessages")
        stored = await record(app, GROUP_ID)
        assert stored.missing_rights == () and stored.active
        assert stored.settings["onboarding"]["confirmed"] == ["can_delete_messages",
                                                              "can_restrict_members"]


async def test_observe_mode_for_missing_rights_survives_a_restart(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with serving(api, tmp_path):
        await api.feed(membership(GROUP, bot_member("administrator", **PARTIAL)))
        await settle(api)
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        assert app.services.book.get(GROUP_ID).scoring.observe_chat
        await api.feed(message(GROUP, MEMBER, AD))
        await settle(api)
        assert api.of("deleteMessages") == []


async def test_added_by_a_non_admin_explains_and_leaves(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with serving(api, tmp_path) as app:
        await api.feed(membership(GROUP, bot_member("administrator"), by=STRANGER))
        await api.wait_for("leaveChat")
        (said,) = sent_to(api, GROUP)
        assert "Only an admin" in said["text"]
        assert api.of("leaveChat") == [{"chat_id": GROUP}]
        await api.feed(membership(GROUP, bot_member("left"), bot_member("administrator"),
                                  by=STRANGER))
        await settle(api)
        stored = await record(app, GROUP_ID)
        assert not stored.active and stored.settings["onboarding"]["refused"] == "not_admin"
        assert len(sent_to(api, GROUP)) == 1, "nothing more is said on the way out"


async def test_added_by_a_non_admin_stays_observing_when_configured_until_an_admin_promotes(
    api: StandInBotApi, tmp_path: Path
) -> None:
    group = -1007007  # its YAML entry sets leave_if_added_by_non_admin: false
    api.admins[group] = [admin(OWNER, owner=True), admin(BOT_ID)]
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        await api.feed(membership(group, bot_member("member"), by=STRANGER))
        await settle(api)
        assert api.of("leaveChat") == []
        assert "not an admin" in sent_to(api, group)[0]["text"]
        assert app.services.book.get(f"tg:{group}").scoring.observe_chat
        await api.feed(membership(group, bot_member("administrator"), bot_member("member"),
                                  by=OWNER))
        await settle(api)
        assert "remove ads" in sent_to(api, group)[-1]["text"]
        assert not app.services.book.get(f"tg:{group}").scoring.observe_chat


async def test_added_to_a_channel_explains_and_leaves(
    api: StandInBotApi, tmp_path: Path
) -> None:
    channel = -1009009
    api.admins[channel] = [admin(OWNER, owner=True), admin(BOT_ID)]
    async with serving(api, tmp_path) as app:
        await api.feed(membership(channel, bot_member("administrator"), kind="channel"))
        await api.wait_for("leaveChat")
        assert "not channels" in sent_to(api, channel)[0]["text"]
        assert not (await record(app, f"tg:{channel}")).active


async def test_a_basic_group_hears_that_mutes_need_a_supergroup(
    api: StandInBotApi, tmp_path: Path
) -> None:
    basic = -4242
    api.admins[basic] = [admin(OWNER, owner=True), admin(BOT_ID)]
    async with serving(api, tmp_path):
        await api.feed(membership(basic, bot_member("administrator"), kind="group"))
        await settle(api)
        assert "basic group" in sent_to(api, basic)[0]["text"]
