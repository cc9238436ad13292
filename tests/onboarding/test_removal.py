"""Removal, demotion and re-adding through the stand-in Bot API; /start in a private chat."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram.standin import StandInBotApi
from bot.events import Role
from storage.members import MemberRepo
from storage.warns import WarnRepo
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
    record,
    sent_to,
    serving,
    settle,
)

ADMIN = bot_member("administrator")


async def test_removed_then_re_added_resumes_with_the_old_state(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        await api.feed(membership(GROUP, ADMIN))
        await api.feed(message(GROUP, MEMBER, AD))  # first ad: a warn
        await api.wait_for("deleteMessages")
        await api.feed(membership(GROUP, bot_member("kicked"), ADMIN))
        await settle(api)
        gone = await record(app, GROUP_ID)
        assert not gone.active and gone.settings["onboarding"]["status"] == "kicked"
        assert GROUP_ID in app.services.extras["inactive_chats"], "scheduled jobs skip it"
        async with app.services.db.session() as s:
            assert await WarnRepo(s).active_count(GROUP_ID, f"tg:{MEMBER}",
                                                  app.services.clock()) == 1
        welcomes = len([m for m in sent_to(api, GROUP) if "remove ads" in m["text"]])
        await api.feed(membership(GROUP, ADMIN, bot_member("left")))
        await settle(api)
        back = await record(app, GROUP_ID)
        assert back.active and GROUP_ID not in app.services.extras["inactive_chats"]
        assert len([m for m in sent_to(api, GROUP) if "remove ads" in m["text"]]) == welcomes + 1
        await api.feed(message(GROUP, MEMBER, AD))  # second ad: the kept warn makes it a mute
        await api.wait_for("restrictChatMember")


async def test_demoted_marks_the_chat_inactive_and_says_what_stops_until_promoted_again(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        await api.feed(membership(GROUP, ADMIN))
        await api.feed(membership(GROUP, bot_member("member"), ADMIN))
        await settle(api)
        lost = sent_to(api, GROUP)[-1]["text"]
        assert "lost admin rights" in lost and "can_restrict_members" in lost
        demoted = await record(app, GROUP_ID)
        assert not demoted.active and "can_delete_messages" in demoted.missing_rights
        assert app.services.book.get(GROUP_ID).scoring.observe_chat
        await api.feed(membership(GROUP, ADMIN, bot_member("member")))
        await settle(api)
        assert "fully on" in sent_to(api, GROUP)[-1]["text"]
        promoted = await record(app, GROUP_ID)
        assert promoted.active and promoted.missing_rights == ()
        assert not app.services.book.get(GROUP_ID).scoring.observe_chat


async def test_start_in_private_lists_the_groups_the_user_moderates(
    api: StandInBotApi, tmp_path: Path
) -> None:
    async with serving(api, tmp_path) as app:
        assert app.services is not None
        await api.feed(membership(GROUP, bot_member("administrator", can_pin_messages=False)))
        await settle(api)
        async with app.services.db.session() as s:
            await MemberRepo(s).set_role(GROUP_ID, f"tg:{OWNER}", Role.OWNER)
        await api.feed(message(OWNER, OWNER, "/start", kind="private"))
        await api.feed(message(STRANGER, STRANGER, "/start", kind="private"))
        await api.feed(message(GROUP, OWNER, "/start"))
        await settle(api)
        (owner,) = sent_to(api, OWNER)
        assert "moderation bot" in owner["text"] and "appeal" in owner["text"]
        assert "Test Group — default" in owner["text"] and "Pin messages" in owner["text"]
        (stranger,) = sent_to(api, STRANGER)
        assert "do not moderate any group" in stranger["text"]
        assert "private chat" in sent_to(api, GROUP)[-1]["text"]
