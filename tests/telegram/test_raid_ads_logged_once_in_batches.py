"""A raid through the stand-in Bot API: every ad deleted and logged exactly once, its outcome
recorded, though the raid's entries (and warns) are written in batches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.adapters.telegram.standin import BOT_ID, StandInBotApi
from bot.app import running_app
from bot.verdict import Action
from tests.onebot.conftest import until
from tests.telegram.test_app import example_config
from tests.telegram.test_outbox_standin import ad, deleted


async def test_every_ad_of_a_raid_is_deleted_and_logged_once_with_its_outcome(
    tmp_path: Path,
) -> None:
    raid = -1005
    senders = [BOT_ID + 1_000 + i for i in range(300)]  # the bench once counted the bot itself
    async with StandInBotApi(latency=0.02) as api:
        config, env = example_config(api, tmp_path)
        async with running_app(config, env=env, port=0):
            await api.wait_for("getUpdates")
            await api.feed(*(ad(raid, user, 2000 + i) for i, user in enumerate(senders)))
            await until(lambda: len(deleted(api, raid)) == 300, 60)
    assert sorted(deleted(api, raid)) == list(range(2000, 2300))
    with sqlite3.connect(tmp_path / "q.db") as db:
        rows = db.execute("SELECT message_id, action, outcome FROM mod_log WHERE chat = ?",
                          (f"tg:{raid}",)).fetchall()
        warns = db.execute("SELECT COUNT(*) FROM warns WHERE chat = ?",
                           (f"tg:{raid}",)).fetchone()[0]
    assert sorted(int(m) for m, _, _ in rows) == list(range(2000, 2300))  # once each
    assert all(outcome != "pending" for _, _, outcome in rows)
    raided = [outcome for _, action, outcome in rows if outcome.startswith("raid")]
    assert len(raided) >= 250  # all but the ads before the raid was recognised
    assert all("delete: ok" in o and "ban: ok" in o for o in raided)
    # a warn for every ad decided as one (the raid's written in batches too): later ads of
    # the same text from many accounts are decided as kicks (flood), which warn no one
    assert warns == sum(1 for _, action, _ in rows if action == int(Action.WARN))
