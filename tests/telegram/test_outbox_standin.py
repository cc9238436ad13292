"""The update path through the whole app and the stand-in Bot API: chats handled concurrently,
enforcement from a per-chat outbox (batched deletions, coalesced notices, per-chat retries),
raids handled in bulk."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from bot.adapters.telegram.standin import StandInBotApi
from bot.app import running_app
from tests.onebot.conftest import until
from tests.telegram.test_app import example_config

AD = "加我薇信 abc12345 领取福利 t.me/spamchan"
_ids = itertools.count(50_000)


def ad(chat: int, user: int, message_id: int, text: str = AD) -> dict[str, Any]:
    """A group message from a member never seen before, with a t.me link entity."""
    url = "t.me/spamchan"
    body: dict[str, Any] = {
        "message_id": message_id, "date": int(time.time()), "text": text,
        "from": {"id": user, "is_bot": False, "first_name": f"m{user}"},
        "chat": {"id": chat, "type": "supergroup", "title": "group"}}
    if url in text:
        offset = len(text[: text.index(url)].encode("utf-16-le")) // 2
        body["entities"] = [{"type": "url", "offset": offset, "length": len(url)}]
    return {"update_id": next(_ids), "message": body}


def deleted(api: StandInBotApi, chat: int) -> list[int]:
    return [m for c in api.of("deleteMessages") if int(c["chat_id"]) == chat
            for m in c["message_ids"]]


def sent(api: StandInBotApi, chat: int) -> list[str]:
    return [str(c["text"]) for c in api.of("sendMessage") if int(c["chat_id"]) == chat]


async def test_a_429_on_delete_messages_in_one_chat_does_not_hold_up_another_chat(
    tmp_path: Path,
) -> None:
    async with StandInBotApi() as api:
        api.fail("deleteMessages", "429", retry_after=3)
        config, env = example_config(api, tmp_path)
        async with running_app(config, env=env, port=0):
            await api.wait_for("getUpdates")
            await api.feed(ad(-1001, 11, 5))
            await api.wait_for("deleteMessages", 1, within=20)  # chat A: 429, retry in 3 s
            await api.feed(ad(-1002, 12, 6))
            await until(lambda: 6 in deleted(api, -1002), 20)
            await until(lambda: 5 in deleted(api, -1001), 20)
    chats = [int(c["chat_id"]) for c in api.of("deleteMessages")]
    assert chats == [-1001, -1002, -1001]  # B deleted while A waited out its retry_after


async def test_a_raid_of_ads_is_deleted_in_a_few_calls_with_one_summary(
    tmp_path: Path,
) -> None:
    raid, other = -1003, -1004
    async with StandInBotApi(latency=0.02) as api:
        config, env = example_config(api, tmp_path)
        async with running_app(config, env=env, port=0):
            await api.wait_for("getUpdates")
            burst = [ad(raid, 100_000 + i, 1000 + i) for i in range(200)]
            await api.feed(*burst[:100], ad(other, 99, 7), *burst[100:])
            await until(lambda: len(deleted(api, raid)) == 200 and bool(deleted(api, other)), 60)
        # leaving the block stops the app: the raid's summary goes out then
    assert sorted(deleted(api, raid)) == list(range(1000, 1200))
    calls = [c for c in api.of("deleteMessages") if int(c["chat_id"]) == raid]
    assert len(calls) <= 10 and all(len(c["message_ids"]) <= 100 for c in calls)
    notices = sent(api, raid)
    assert 1 <= len(notices) <= 3
    assert any("Raid over" in n or "刷屏攻击结束" in n for n in notices)
    banned = {int(c["user_id"]) for c in api.of("banChatMember") if int(c["chat_id"]) == raid}
    assert len(banned) >= 190  # the first few ads came before the raid was recognised
    assert deleted(api, other) == [7] and len(sent(api, other)) == 1


async def test_ads_in_twenty_chats_at_once_are_all_deleted_and_noticed_per_chat(
    tmp_path: Path,
) -> None:
    async with StandInBotApi(latency=0.05) as api:
        config, env = example_config(api, tmp_path)
        async with running_app(config, env=env, port=0) as app:
            await api.wait_for("getUpdates")
            updates = [ad(-2000 - c, 200 + c * 10 + i, 10 + i, f"{AD} {i}")
                       for i in range(3) for c in range(20)]
            await api.feed(*updates)
            await until(lambda: sum(len(deleted(api, -2000 - c)) for c in range(20)) == 60, 60)
            assert app.services is not None
            await app.services.dispatcher.settle()
    for c in range(20):
        assert sorted(deleted(api, -2000 - c)) == [10, 11, 12]
        assert 1 <= len(sent(api, -2000 - c)) <= 3  # coalesced within the chat's window
