"""The entry gate over Telegram: joins muted and welcomed, a button press frees, silence removes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from tests.community.conftest import START, Clock
from tests.community.standin_app import (
    button_data,
    joined_service,
    member_change,
    pressed,
    restricted,
    run_jobs,
    sent_to,
    serving,
)
from tests.onboarding.conftest import settle

GROUP, OWNER, ANSWERS, SILENT = -1005550002, 111, 222, 333
GATE = f"""
chats:
  "{GROUP}":
    rules: ["Be kind"]
    features: {{gate: {{enabled: true, timeout: 5m}}}}
"""
PASS = f"g|tg:{GROUP}|ok"


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        server.admins[GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
        yield server


def _muted(call: dict[str, object]) -> bool:
    permissions = call["permissions"]
    assert isinstance(permissions, dict)
    return not any(permissions.values())


async def test_a_joiner_is_muted_and_welcomed_then_the_button_lifts_the_mute(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)
    async with serving(api, tmp_path, clock, GATE) as app:
        join = joined_service(GROUP, ANSWERS, clock())
        await api.feed(join)
        await settle(api)
        mutes = restricted(api, ANSWERS)
        assert len(mutes) == 1 and int(mutes[0]["chat_id"]) == GROUP and _muted(mutes[0])
        service_id = join["message"]["message_id"]
        deleted = [*(c.get("message_ids", []) for c in api.of("deleteMessages")),
                   *([c["message_id"]] for c in api.of("deleteMessage"))]
        assert [service_id] in deleted  # the "user joined" service message is cleaned
        welcome = sent_to(api, GROUP)[-1]
        assert "Welcome, user222!" in welcome["text"] and "1. Be kind" in welcome["text"]
        assert button_data(welcome) == [PASS]
        await api.feed(pressed(GROUP, ANSWERS, button_data(welcome)[0], 4242))
        await settle(api)
        mutes = restricted(api, ANSWERS)
        assert len(mutes) == 2 and not _muted(mutes[1])  # the chat's defaults restored
        assert "Thank you! You can now take part." in sent_to(api, GROUP)[-1]["text"]
        assert len(api.of("answerCallbackQuery")) == 1  # the spinner on the button stops
        clock.advance(minutes=10)
        await run_jobs(app, clock())
        assert api.of("banChatMember") == []


async def test_a_joiner_who_never_presses_is_removed_once_the_timeout_passes(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)
    async with serving(api, tmp_path, clock, GATE) as app:
        await api.feed(member_change(GROUP, ANSWERS, "left", "member", clock()),
                       member_change(GROUP, SILENT, "left", "member", clock()))
        await settle(api)
        assert _muted(restricted(api, ANSWERS)[0]) and _muted(restricted(api, SILENT)[0])
        welcomes = sent_to(api, GROUP)
        assert ["Welcome, user222!" in w["text"] for w in welcomes] == [True, False]
        assert "Welcome, user333!" in welcomes[1]["text"] and button_data(welcomes[1]) == [PASS]
        await api.feed(pressed(GROUP, ANSWERS, PASS, 4243))
        await settle(api)
        assert "gate-timeouts" in await run_jobs(app, clock() + timedelta(minutes=4))
        assert api.of("banChatMember") == []  # still within the five minutes
        assert "gate-timeouts" in await run_jobs(app, clock() + timedelta(minutes=6))
        banned = api.of("banChatMember")
        assert [(int(c["chat_id"]), int(c["user_id"])) for c in banned] == [(GROUP, SILENT)]
        unbanned = api.of("unbanChatMember")  # removed, not banned: they may come back
        assert [(int(c["chat_id"]), int(c["user_id"])) for c in unbanned] == [(GROUP, SILENT)]
        assert len(restricted(api, SILENT)) == 1 and len(restricted(api, ANSWERS)) == 2
