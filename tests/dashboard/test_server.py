"""The dashboard's HTTP surface over a fake desk: one-time links, sessions, rights and CSRF."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.dashboard import Dashboard, Sessions
from bot.desk import LogItem
from bot.desk_fake import NOW, FakeDesk
from bot.signing import Signer, mint

SECRET = "a-test-secret-of-enough-length"


@dataclass
class Site:
    url: str
    desk: FakeDesk
    signer: Signer
    clock: list[datetime]

    def link(self, user: str, **kw: object) -> str:
        return mint(self.signer, user, **kw)  # type: ignore[arg-type]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    clock = [NOW]
    desk = FakeDesk()
    desk.add_chat("tg:-1001", "Head group", "tg:7")
    desk.add_chat("tg:-1002", "Other group", "tg:8")
    desk.log[5] = LogItem(5, "tg:-1001", "tg:9", "Spammer", "delete", NOW, "auto", 9.0,
                          {"AD_WECHAT": 6.0}, "Solicits contact", "加我薇信 abc", reversible=True)
    signer = Signer(SECRET, clock=lambda: clock[0])
    used: set[str] = set()

    async def claim(nonce: str) -> bool:
        if nonce in used:
            return False
        used.add(nonce)
        return True

    app = web.Application()
    Dashboard(desk, signer, Sessions(signer, ttl=timedelta(hours=1), secure=False),
              claim).install(app)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Site(f"http://127.0.0.1:{port}", desk, signer, clock)
    finally:
        await runner.cleanup()


def _browser(**kw: object) -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1 as a browser does."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), **kw)  # type: ignore[arg-type]


async def _login(http: aiohttp.ClientSession, site: Site, token: str) -> aiohttp.ClientResponse:
    async with http.get(f"{site.url}/dashboard/login", params={"t": token}) as page:
        assert page.status == 200
    return await http.post(f"{site.url}/dashboard/login", data={"t": token},
                           allow_redirects=False)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page carries a CSRF token"
    return found.group(1)


async def test_a_moderators_link_logs_in_once_and_shows_only_their_chats(site: Site) -> None:
    token = site.link("tg:7", name="Ada")
    async with _browser() as http:
        response = await _login(http, site, token)
        assert response.status == 303
        cookie = response.cookies["qunguan_session"]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        async with http.get(f"{site.url}/dashboard/") as index:
            html = await index.text()
        assert "Head group" in html and "Other group" not in html
        async with http.get(f"{site.url}/dashboard/c/tg%3A-1002/members") as other:
            assert other.status == 403
        async with http.get(f"{site.url}/dashboard/c/tg%3A-1001/members") as mine:
            assert mine.status == 200 and "Member 2" in await mine.text()
    async with _browser() as again:  # the same link a second time
        reused = await _login(again, site, token)
        assert reused.status == 403 and "already used" in await reused.text()


async def test_expired_forged_and_non_moderator_links_are_refused(site: Site) -> None:
    expired = site.link("tg:7")
    site.clock[0] = NOW + timedelta(minutes=11)
    async with _browser() as http:
        async with http.get(f"{site.url}/dashboard/login", params={"t": expired}) as page:
            assert page.status == 403
        body, _, mac = site.link("tg:7").partition(".")
        forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
        assert (await _login_status(http, site, forged)) == 403
        other_key = Signer("another-secret-of-enough-length", clock=lambda: site.clock[0])
        assert (await _login_status(http, site, mint(other_key, "tg:7"))) == 403
        stranger = await http.post(f"{site.url}/dashboard/login",
                                   data={"t": site.link("tg:99")}, allow_redirects=False)
        assert stranger.status == 403
        assert "moderate no chat" in await stranger.text()


async def _login_status(http: aiohttp.ClientSession, site: Site, token: str) -> int:
    async with http.post(f"{site.url}/dashboard/login", data={"t": token},
                         allow_redirects=False) as response:
        return response.status


async def test_a_forged_or_missing_cookie_sees_nothing(site: Site) -> None:
    async with _browser() as http, \
            http.get(f"{site.url}/dashboard/c/tg%3A-1001/moderation") as page:
        assert page.status == 401
    forged = Signer("not-the-server-secret-at-all!", clock=lambda: NOW).sign(
        "session", {"u": "tg:7", "x": "t"}, timedelta(hours=1))
    async with _browser(cookies={"qunguan_session": forged}) as http, \
            http.get(f"{site.url}/dashboard/c/tg%3A-1001/moderation") as page:
        assert page.status == 401
        assert "log in again" in await page.text()


async def test_undo_needs_the_forms_csrf_token_and_then_reaches_the_desk(site: Site) -> None:
    async with _browser() as http:
        await _login(http, site, site.link("tg:7"))
        async with http.get(f"{site.url}/dashboard/c/tg%3A-1001/moderation") as page:
            html = await page.text()
        assert "加我薇信 abc" in html and "AD_WECHAT" in html
        url = f"{site.url}/dashboard/c/tg%3A-1001/moderation/5/undo"
        async with http.post(url, data={"csrf": "wrong"}, allow_redirects=False) as bad:
            assert bad.status == 403
        assert site.desk.done == []
        async with http.post(url, data={"csrf": _csrf(html)}) as good:
            assert good.status == 200 and "#5 undone" in await good.text()
        assert site.desk.done == [("undo", "tg:7", "tg:-1001", "5")]
        other = f"{site.url}/dashboard/c/tg%3A-1002/moderation/5/keep"
        async with http.post(other, data={"csrf": _csrf(html)}) as theirs:
            assert theirs.status == 403


async def test_csv_export_opens_in_the_csv_module(site: Site) -> None:
    async with _browser() as http:
        await _login(http, site, site.link("tg:7"))
        async with http.get(f"{site.url}/dashboard/c/tg%3A-1001/export/members.csv") as got:
            assert got.headers["Content-Type"].startswith("text/csv")
            text = (await got.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["user", "name"], ["tg:-1001:u1", 'Lin, "the" first'], ["tg:-1001:u2", "林"]]


async def test_the_chinese_page_speaks_chinese(site: Site) -> None:
    async with _browser() as http:
        await _login(http, site, site.link("tg:7"))
        async with http.get(f"{site.url}/dashboard/c/tg%3A-1001/members",
                            params={"lang": "zh"}) as page:
            html = await page.text()
        assert 'lang="zh-CN"' in html and "成员" in html and "积分" in html
        async with http.get(f"{site.url}/dashboard/") as index:  # the choice is remembered
            assert "你管理的群" in await index.text()
        async with http.get(f"{site.url}/dashboard/c/tg%3A-1001/moderation") as log:
            text = await log.text()
        assert "删除" in text and "撤销" in text and ">delete<" not in text


async def test_a_network_page_sums_only_the_networks_chats_the_viewer_moderates(
        site: Site) -> None:
    site.desk.add_chat("tg:-1003", "Branch A", "tg:7", network="north")
    site.desk.add_chat("tg:-1004", "Branch B", "tg:7", network="north")
    site.desk.add_chat("tg:-1005", "Branch C", "tg:8", network="north")
    async with _browser() as http:
        await _login(http, site, site.link("tg:7"))
        async with http.get(f"{site.url}/dashboard/") as index:
            assert "/dashboard/n/north/" in await index.text()
        async with http.get(f"{site.url}/dashboard/n/north/") as page:
            html = await page.text()
        assert page.status == 200
        # the fake desk counts 10 messages a day per chat asked for: two chats, 30 days
        assert re.search(r'data-testid="messages-total">600<', html)
        async with http.get(f"{site.url}/dashboard/n/south/") as unknown:
            assert unknown.status == 403
