"""Networks and scheduled posts over Telegram: the shared profile, bans spread to every group,
core-group invitations, and posts sent by the scheduler at local times."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from tests.community.conftest import START, Clock
from tests.community.standin_app import run_jobs, said, sent_to, serving
from tests.onboarding.conftest import settle

HEAD, BRANCH, OWNER, SPAMMER, HELPER, FAN = -1005550010, -1005550011, 111, 222, 333, 444
NETWORK = f"""
profiles:
  study: {{language: zh-CN, features: {{points: {{enabled: true}}}}}}
networks:
  school:
    profile: study
    chats: [{HEAD}, {BRANCH}]
    core_chat: {HEAD}
    invite_threshold: 10
"""
POSTS = f"""
chats:
  "{HEAD}":
    features:
      schedule:
        posts:
          - {{schedule: "0 10 * * mon", text: "每周一：本周读书计划", text_en: "Weekly plan"}}
          - {{schedule: "daily 21:00", text: "晚安", text_en: "Good night", keep: false}}
"""


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        for group in (HEAD, BRANCH):
            server.admins[group] = [admin(OWNER, owner=True), admin(BOT_ID)]
        yield server


def replying(update: dict[str, object], to: dict[str, object]) -> dict[str, object]:
    message = update["message"]
    assert isinstance(message, dict)
    message["reply_to_message"] = to["message"]
    return update


async def test_a_ban_in_one_group_of_a_network_bans_in_every_group_in_its_language(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)
    async with serving(api, tmp_path, clock, NETWORK):
        spam = said(BRANCH, SPAMMER, "hello", clock())
        await api.feed(spam)
        await settle(api)
        await api.feed(replying(said(BRANCH, OWNER, "/ban 广告", clock()), spam))
        await settle(api)
    banned = sorted((int(c["chat_id"]), int(c["user_id"])) for c in api.of("banChatMember"))
    assert banned == sorted([(HEAD, SPAMMER), (BRANCH, SPAMMER)])
    # the branch follows the network's profile (zh-CN) over the file's defaults (en)
    assert any("封禁" in c["text"] for c in sent_to(api, BRANCH))


async def test_members_past_the_network_threshold_get_the_core_groups_invite_link(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)
    async with serving(api, tmp_path, clock, NETWORK) as app:
        for group in (BRANCH, BRANCH):  # points from the branch; not yet in the core group
            helped = said(group, HELPER, "try restarting the router first", clock())
            await api.feed(helped)
            await settle(api)
            await api.feed(replying(said(group, FAN, "/thanks", clock()), helped))
            await settle(api)
        assert "network-invites" in await run_jobs(app, clock.advance(minutes=5))
        await settle(api)
    (created,) = api.of("createChatInviteLink")
    assert int(created["chat_id"]) == HEAD
    invites = sent_to(api, HELPER)
    assert len(invites) == 1 and f"https://t.me/+standin{abs(HEAD)}" in invites[0]["text"]


async def test_scheduled_posts_are_sent_at_their_local_times(
        api: StandInBotApi, tmp_path: Path) -> None:
    clock = Clock(START)  # Monday 09:00 in Shanghai
    async with serving(api, tmp_path, clock, POSTS) as app:
        await run_jobs(app, clock.advance(minutes=59))  # 09:59: nothing due
        assert sent_to(api, HEAD) == []
        await run_jobs(app, clock.advance(minutes=1))  # 10:00
        await run_jobs(app, clock.advance(hours=11))  # 21:00
        await run_jobs(app, clock.advance(days=1))  # Tuesday 21:00: only the daily post
        await settle(api)
    assert [c["text"] for c in sent_to(api, HEAD)] == ["Weekly plan", "Good night",
                                                       "Good night"]
