"""The dashboard in headless Chromium over the real Telegram adapter path (stand-in Bot API)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi, admin
from bot.app import App
from tests.onboarding.conftest import GROUP, OWNER, message, sent_to, serving, settle

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser test needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")

OTHER = -1009009
MEMBERS = (301, 302, 303)
SPAMMER, OUTSIDER = 304, 401
AD = "加微信 abc12345 领取福利"
OTHER_SECRET = "the other chat's private plans"


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    async with StandInBotApi() as server:
        server.admins[GROUP] = [admin(OWNER, owner=True), admin(BOT_ID)]
        server.admins[OTHER] = [admin(OUTSIDER, owner=True), admin(BOT_ID)]
        yield server


async def _traffic(api: StandInBotApi) -> int:
    """Members talk in both chats, one posts an ad; returns the group's member messages."""
    sent = 0
    for round_ in range(2):
        for uid in MEMBERS:
            await api.feed(message(GROUP, uid, f"message {round_} from {uid} about pandas"))
            sent += 1
    await api.feed(message(GROUP, SPAMMER, AD))
    await api.feed(message(OTHER, OUTSIDER, OTHER_SECRET))
    await settle(api)
    return sent


async def _login_link(api: StandInBotApi, app: App, uid: int) -> str:
    before = len(sent_to(api, uid))
    await api.feed(message(GROUP, uid, "/dashboard"))
    await settle(api)
    mine = sent_to(api, uid)
    assert len(mine) == before + 1, "the link arrives in private"
    found = re.search(r"https?://\S+/dashboard/login\?t=\S+", mine[-1]["text"])
    assert found, mine[-1]["text"]
    return found.group(0)


async def test_a_moderator_sees_their_chat_undoes_an_ad_and_nothing_else(
        api: StandInBotApi, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=20_000)
    async with serving(api, tmp_path) as app, async_playwright() as pw:
        group_messages = await _traffic(api)
        link = await _login_link(api, app, OWNER)
        await app.flush()
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await page.goto(link + "&lang=en")
            await page.click("[data-testid=continue]")
            # the overview of the chat the link came from, numbers as the adapter saw them
            await expect(page.locator("[data-testid=messages-total]")).to_have_text(
                str(group_messages + 1))  # the ad was a message too
            await expect(page.locator("[data-testid=activity-chart] svg")).to_have_count(1)

            # the ad is in the log with its symbols; Undo re-posts it in the group
            await page.click("nav.tabs >> text=Moderation")
            entry = page.locator("[data-testid=entry]", has_text=AD)
            await expect(entry.locator(".sym").first).to_contain_text("AD_")
            reposts = len(sent_to(api, GROUP))
            await entry.locator("[data-testid=undo]").click()
            await expect(page.locator("[data-testid=flash]")).to_contain_text("undone")
            await settle(api)
            assert any(AD in call["text"] for call in sent_to(api, GROUP)[reposts:])

            # another chat's data is never visible
            assert OTHER_SECRET not in await page.content()
            refused = await page.goto(f"{app_url(app)}/dashboard/c/tg%3A{OTHER}/moderation")
            assert refused is not None and refused.status == 403
            assert OTHER_SECRET not in await page.content()
            await page.goto(f"{app_url(app)}/dashboard/")
            await expect(page.locator("[data-testid=chats] li")).to_have_count(1)

            # the Chinese page speaks Chinese
            await page.goto(f"{app_url(app)}/dashboard/c/tg%3A{GROUP}/?lang=zh")
            await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            await expect(page.locator("nav.tabs")).to_contain_text("成员")

            # the same link a second time is refused
            again = await browser.new_page()
            await again.goto(link)
            await again.click("[data-testid=continue]")
            await expect(again.locator("[data-testid=refused]")).to_be_visible()
        finally:
            await browser.close()


async def test_non_moderator_expired_and_forged_access_is_refused(
        api: StandInBotApi, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=20_000)
    async with serving(api, tmp_path) as app, async_playwright() as pw:
        await _traffic(api)
        before = len(sent_to(api, GROUP))
        await api.feed(message(GROUP, MEMBERS[0], "/dashboard"))
        await settle(api)
        assert not sent_to(api, MEMBERS[0]), "a member gets no link"
        assert len(sent_to(api, GROUP)) > before  # but an answer in the group
        assert app.services is not None
        links = app.services.extras["login_links"]
        member_link = links.link(f"tg:{MEMBERS[0]}")
        expired = links.link(f"tg:{OWNER}", ttl=timedelta(seconds=-1))
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page()
            for link in (member_link, expired):
                await page.goto(link + "&lang=en")
                if await page.locator("[data-testid=continue]").count():
                    await page.click("[data-testid=continue]")
                await expect(page.locator("[data-testid=refused]")).to_be_visible()
            context = await browser.new_context()
            await context.add_cookies([{"name": "qunguan_session", "value": "e30.forged",
                                        "url": app_url(app) + "/dashboard/"}])
            forged = await context.new_page()
            response = await forged.goto(f"{app_url(app)}/dashboard/c/tg%3A{GROUP}/")
            assert response is not None and response.status == 401
        finally:
            await browser.close()


def app_url(app: App) -> str:
    return f"http://127.0.0.1:{app.port}"
