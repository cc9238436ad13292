"""Through the real Telegram path (the stand-in Bot API server), a freshly started bot deletes
Russian, English and Chinese day-one spam that no rule catches, and logs the classifier's reason."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram.standin import StandInBotApi
from tests.playground.test_seed_day_one import DAY_ONE_SPAM
from tests.telegram.test_app import deleted_ids, example_config, log_entries
from tests.telegram.test_judgement import text_update


async def test_a_fresh_bot_deletes_day_one_spam_and_names_the_classifier(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app

    config, env = example_config(api, tmp_path)
    updates = [text_update(4300 + n, 930 + n, text, user_id=5200 + n)
               for n, text in enumerate(DAY_ONE_SPAM)]
    async with running_app(config, env=env, port=0) as app:
        await api.feed(*updates)
        for _ in range(50):  # deletions may be batched into fewer calls
            if len(deleted_ids(api)) >= len(DAY_ONE_SPAM):
                break
            await api.wait_for("deleteMessages", len(api.of("deleteMessages")) + 1)
        entries = await log_entries(app)
    assert deleted_ids(api) == [930, 931, 932]
    acted = {e.message_id: e for e in entries if e.action.label != "flag"}
    for message_id in ("930", "931", "932"):
        assert "SPAM_CLASSIFIER" in acted[message_id].symbols
        assert "classifier" in acted[message_id].reason
