"""A freshly started bot (the example config, an empty database, no /spam taught) deletes
day-one spam that no rule catches, through the playground, and says the classifier did it."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.app import running_app
from bot.config import load_config
from tests.playground.test_app import next_frame

#: Written for these tests (not from any corpus, nor among the seed's training lines).
DAY_ONE_SPAM = [
    "Ребята, набираю людей на удалёнку, всему научу сама, пишите мне в лс",
    "Anyone interested in a remote crypto job? Beginners welcome, DM me",
    "学生党宝妈兼职，手机操作，时间自由，加V了解",
]


@pytest.mark.parametrize("text", DAY_ONE_SPAM)
async def test_a_fresh_bot_deletes_day_one_spam_by_its_builtin_classifier(
        tmp_path: Path, text: str) -> None:
    config = load_config("config.example.yaml",
                         env={"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"})
    async with running_app(config, env={}, port=0) as app, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"http://127.0.0.1:{app.port}/ws")
        state = await next_frame(ws, "state")
        member = next(m["id"] for m in state["members"] if m["role"] == "member")
        await ws.send_json({"type": "post", "member": member, "kind": "text", "text": text})
        posted = (await next_frame(ws, "message"))["message"]
        explained = await next_frame(
            ws, "removed", lambda f: f["message_id"] == posted["id"] and bool(f["reason_en"]))
        assert "SPAM_CLASSIFIER" in explained["symbols"]
        assert "classifier" in explained["reason_en"]
        assert "分类器" in explained["reason_zh"]
        await ws.close()
