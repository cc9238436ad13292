"""Judgement through the real Telegram path: a newcomer's screenshot question, documentation
links and links into the chat's own messages pass; a list of shop sites is deleted."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

from bot.adapters.telegram.standin import StandInBotApi
from tests.telegram.conftest import load, photo_update, plain_png
from tests.telegram.test_app import deleted_ids, example_config, log_entries


def text_update(update_id: int, message_id: int, text: str, *, user_id: int) -> dict[str, Any]:
    """A member's text message with the URL entities Telegram would add."""
    raw: dict[str, Any] = copy.deepcopy(load("voice"))
    raw["update_id"] = update_id
    message = raw["message"]
    del message["voice"]
    message.update(message_id=message_id, text=text, date=int(time.time()))
    message["from"].update(id=user_id, username=f"member{user_id}", first_name="Member")
    message["entities"] = [
        {"type": "url", "offset": _utf16(text[: text.index(word)]), "length": _utf16(word)}
        for word in text.split() if word.startswith("https://")]
    return raw


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


LEGITIMATE = [
    "the fix is in https://github.com/microsoft/WSL/issues/3815",
    "read https://docs.python.org/3/tutorial/classes.html first",
    "answered before: https://t.me/c/1564092519/8298",
    "rm -f /tmp/anaconda.sh and run bash anaconda.sh again",
]
SHOPS = ("big sale today: https://coupon-deals.shop/a https://cheap-codes.store/b "
         "https://promo-week.site/c")


async def test_newcomers_questions_and_docs_links_pass_while_a_list_of_shops_is_deleted(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app

    screenshot = plain_png()
    api.add_file("shot", screenshot)
    config, env = example_config(api, tmp_path)
    updates = [photo_update(4100, 900, [("shot", 128, len(screenshot))], user_id=5001,
                            date=int(time.time()))]
    updates += [text_update(4101 + n, 901 + n, text, user_id=5002 + n)
                for n, text in enumerate(LEGITIMATE)]
    updates.append(text_update(4120, 920, SHOPS, user_id=5100))
    async with running_app(config, env=env, port=0) as app:
        await api.feed(*updates)
        await api.wait_for("deleteMessages", 1)
        entries = await log_entries(app)
    assert deleted_ids(api) == [920]  # handled in order: everything before it was let through
    (entry,) = [e for e in entries if e.action.label != "flag"]
    assert entry.message_id == "920"
    assert "AD_LINK_LIST" in entry.symbols and "NEWCOMER_UNPROVEN" in entry.symbols
