"""The page itself: language from the browser or the switch, static files without a build step."""

from __future__ import annotations

from .conftest import Playground


async def test_page_speaks_chinese_to_a_chinese_browser_and_obeys_the_switch(
        playground: Playground) -> None:
    zh = await playground.client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert 'data-lang="zh"' in await zh.text()
    en = await playground.client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    body = await en.text()
    assert 'data-lang="en"' in body and "<title>test lobby</title>" in body
    default = await playground.client.get("/", headers={"Accept-Language": "fr"})
    assert 'data-lang="en"' in await default.text()


async def test_scripts_and_styles_are_served_as_plain_files(playground: Playground) -> None:
    for path, marker in (("/static/app.js", "new WebSocket"), ("/static/i18n.js", "zh:"),
                         ("/static/app.css", ".removed")):
        response = await playground.client.get(path)
        assert response.status == 200
        assert marker in await response.text()
