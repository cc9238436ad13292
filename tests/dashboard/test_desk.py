"""The dashboard's use-cases on the running app: waitlist, keep, config, observe mode, links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from bot.app import App
from bot.desk import LogFilter, Viewer
from handlers.dashboard.desk import ServicesDesk
from storage.queue import JoinQueueRepo
from tests.onboarding.conftest import AD, GROUP, GROUP_ID, OWNER, message, sent_to, serving, settle

MODERATOR = Viewer(f"tg:{OWNER}", "Owner")
MEMBER = 222


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        server.admins[GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
        yield server


def desk(app: App) -> ServicesDesk:
    assert app.services is not None
    found = app.services.extras["desk"]
    assert isinstance(found, ServicesDesk)
    return found


async def _queue(app: App, *users: int) -> None:
    assert app.services is not None
    async with app.services.db.session() as session:
        for uid in users:
            await JoinQueueRepo(session).enqueue(GROUP_ID, f"tg:{uid}", "", app.clock(),
                                                 name=f"user{uid}")


async def test_approve_and_skip_act_on_the_platform_and_leave_the_queue(
        api: StandInBotApi, tmp_path: Path) -> None:
    async with serving(api, tmp_path) as app:
        await api.feed(message(GROUP, MEMBER, "hello"))
        await settle(api)
        await _queue(app, 601, 602, 603)
        listed = await desk(app).waitlist(GROUP_ID)
        assert [w.user for w in listed.queue] == ["tg:601", "tg:602", "tg:603"]
        assert [w.position for w in listed.queue] == [1, 2, 3]

        done = await desk(app).admit(MODERATOR, GROUP_ID, "tg:602", "en")
        assert done.ok and "user602" in done.message
        assert [int(c["user_id"]) for c in api.of("approveChatJoinRequest")] == [602]
        skipped = await desk(app).skip(MODERATOR, GROUP_ID, "tg:603", "zh-CN")
        assert skipped.ok and "拒绝" in skipped.message
        assert [int(c["user_id"]) for c in api.of("declineChatJoinRequest")] == [603]
        assert [w.user for w in (await desk(app).waitlist(GROUP_ID)).queue] == ["tg:601"]

        again = await desk(app).admit(MODERATOR, GROUP_ID, "tg:602", "en")
        assert not again.ok and len(api.of("approveChatJoinRequest")) == 1
        stranger = await desk(app).admit(Viewer(f"tg:{MEMBER}"), GROUP_ID, "tg:601", "en")
        assert not stranger.ok and len(api.of("approveChatJoinRequest")) == 1
        log = await desk(app).moderation(GROUP_ID, LogFilter())
        reasons = [i.reason for i in log.items]
        assert "approve join (dashboard)" in reasons and "decline join (dashboard)" in reasons


async def test_keep_marks_an_entry_reviewed_once_and_undo_stays_possible(
        api: StandInBotApi, tmp_path: Path) -> None:
    async with serving(api, tmp_path) as app:
        await api.feed(message(GROUP, MEMBER, AD))
        await settle(api)
        entry = next(i for i in (await desk(app).moderation(GROUP_ID, LogFilter())).items
                     if AD in i.text)
        assert entry.reversible and not entry.kept_by
        assert (await desk(app).keep(MODERATOR, GROUP_ID, entry.id, "en")).ok
        assert not (await desk(app).keep(MODERATOR, GROUP_ID, entry.id, "en")).ok
        kept = next(i for i in (await desk(app).moderation(GROUP_ID, LogFilter())).items
                    if i.id == entry.id)
        assert kept.kept_by == MODERATOR.user and kept.reversible


async def test_observe_mode_entries_say_what_would_have_happened(
        api: StandInBotApi, tmp_path: Path) -> None:
    async with serving(api, tmp_path) as app:
        await api.feed(message(GROUP, OWNER, "/shadow on"))
        await settle(api)
        deletions = len(api.of("deleteMessages")) + len(api.of("deleteMessage"))
        await api.feed(message(GROUP, MEMBER, AD))
        await settle(api)
        assert len(api.of("deleteMessages")) + len(api.of("deleteMessage")) == deletions
        page = await desk(app).moderation(GROUP_ID, LogFilter(shadow=True))
        item = next(i for i in page.items if AD in i.text)
        assert item.observe and item.shadow_action in ("delete", "warn", "mute")


async def test_config_page_masks_secrets_and_shows_a_broken_file(
        api: StandInBotApi, tmp_path: Path) -> None:
    async with serving(api, tmp_path) as app:
        await api.feed(message(GROUP, MEMBER, "hello"))
        await settle(api)
        view = await desk(app).config(GROUP_ID)
        assert view.valid and "policies:" in view.yaml and view.profile == "default"
        _break(Path(view.source))
        broken = await desk(app).config(GROUP_ID)
        assert not broken.valid
        assert re.search(r"qunguan\.yaml:\d+:\d+", broken.problems[0])
        assert broken.yaml == view.yaml  # the running profile is still shown


def _break(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "defaults: [oops\n", encoding="utf-8")


async def test_dashboard_in_private_answers_with_a_link_in_place(
        api: StandInBotApi, tmp_path: Path) -> None:
    async with serving(api, tmp_path) as app:
        await api.feed(message(OWNER, OWNER, "/dashboard", kind="private"))
        await settle(api)
        text = sent_to(api, OWNER)[-1]["text"]
        assert re.search(rf"http://127\.0\.0\.1:{app.port}/dashboard/login\?t=\S+", text)
        assert "one use" in text


async def test_the_playgrounds_owner_gets_a_local_link_that_opens_the_dashboard(
        tmp_path: Path) -> None:
    import aiohttp

    from bot.app import running_app
    from bot.config import load_config

    env = {"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"}
    config = load_config("config.example.yaml", env=env)
    async with running_app(config, env={}, port=0) as app:
        assert app.services is not None
        link = app.services.extras["owner_link"]
        assert link.startswith(f"http://127.0.0.1:{app.port}/dashboard/login?t=")
        owner = Viewer("local:owner", owner=True)
        assert await desk(app).may_moderate(owner, "local:lobby")
        assert not await desk(app).may_moderate(owner, GROUP_ID)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            url, _, token = link.partition("?t=")
            async with http.post(url, data={"t": token}) as opened:
                assert opened.status == 200 and "Your chats" in await opened.text()
