"""The real app in headless Chromium: a newcomer's first minutes in the playground."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import running_app
from bot.config import load_config

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser test needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)

AD = "加我薇信 abc123 领福利"


async def test_members_ads_and_voice_are_removed_with_reasons_admin_voice_stays_checkin_answered(
        tmp_path: Path) -> None:
    from playwright.async_api import Page, async_playwright, expect

    expect.set_options(timeout=20_000)
    config = load_config("config.example.yaml",
                         env={"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"})

    async def add_member(page: Page, name: str, role: str) -> None:
        await page.fill("#member-name", name)
        await page.select_option("#member-role", role)
        await page.click("[data-testid=add-member]")
        await expect(page.locator(f"#post-as option:has-text('{name}')")).to_have_count(1)

    async def post(page: Page, name: str, kind: str, text: str = "") -> None:
        value = await page.evaluate(
            "(name) => [...document.querySelectorAll('#post-as option')]"
            ".find((o) => o.textContent.startsWith(name)).value", name)
        await page.select_option("#post-as", value)
        await page.select_option("#post-kind", kind)
        await page.fill("#post-text", text)
        await page.click("#send")

    async with running_app(config, env={}, port=0) as app, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            await page.goto(f"http://127.0.0.1:{app.port}/?lang=en")
            await expect(page.locator("#status")).to_have_attribute("data-state", "online")
            await add_member(page, "Lin", "member")
            await add_member(page, "Ada", "admin")

            # an ad from a member: struck through, with the reason and the symbols that fired
            await post(page, "Lin", "text", AD)
            ad = page.locator("li.msg.removed", has_text=AD)
            await expect(ad.locator("del")).to_have_text(AD)
            await expect(ad.locator("[data-testid=removal] .reason")).to_contain_text("Removed (")
            await expect(ad.locator("[data-testid=symbols]")).to_contain_text("AD_")

            # a voice message from a member is removed; from an admin it stays
            await post(page, "Lin", "voice")
            lin_voice = page.locator("li.msg.removed[data-kind=voice]")
            await expect(lin_voice.locator("[data-testid=symbols]")).to_contain_text("VOICE_")
            await post(page, "Ada", "voice")
            await post(page, "Ada", "text", "/checkin")
            checkin = page.locator("li.msg.from-member", has_text="/checkin")
            checkin_id = await checkin.get_attribute("data-id")
            answer = page.locator(f"li.msg.bot[data-reply-to='{checkin_id}']")
            await expect(answer).to_have_count(1)
            await expect(answer).to_contain_text("打卡成功")  # counted, not refused
            await expect(answer).to_contain_text("1/21")
            kept = page.locator("li.msg[data-kind=voice]:not(.removed)")
            await expect(kept).to_have_count(1)
            await expect(kept.locator(".who")).to_have_text("Ada")

            # a second ad mutes Lin: the composer is disabled while Lin is chosen
            await post(page, "Lin", "text", AD + " https://bit.ly/deal")
            await expect(page.locator("li.ev-muted")).to_contain_text("Lin")
            await expect(page.locator("#send")).to_be_disabled()
            await expect(page.locator("#mute-note")).to_be_visible()

            # the same chat in Chinese: reasons in Chinese, struck messages kept
            await page.click("[data-lang-link=zh]")
            await expect(page.locator("#status")).to_have_attribute("data-state", "online")
            await expect(page.locator("li.msg.removed", has_text=AD).first
                         .locator(".reason")).to_contain_text("已删除")
        finally:
            await browser.close()
