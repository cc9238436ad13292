"""The offers signals and decorated contacts through the real Telegram path (the stand-in Bot
API, config.example.yaml): a WeChat id with decoration threaded through its keyword and a
Russian income offer with a DM ask are deleted; an honest job question passes."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram.standin import StandInBotApi
from tests.telegram.test_app import SETTLED, deleted_ids, example_config, log_entries
from tests.telegram.test_judgement import text_update

HONEST = "looking for a remote job in Python, any advice?"
DECORATED_CONTACT = "想要资料的 v❤x：qg 8 8 8 8"
INCOME_AND_DM = "Нужны люди на вечер, оплата от 5к руб в день, пишите в лс"


async def test_a_decorated_contact_and_an_income_offer_with_a_dm_ask_are_deleted(
    api: StandInBotApi, tmp_path: Path
) -> None:
    from bot.app import running_app

    config, env = example_config(api, tmp_path, chats=SETTLED)
    updates = [text_update(5200 + n, 940 + n, text, user_id=6001 + n)
               for n, text in enumerate([HONEST, DECORATED_CONTACT, INCOME_AND_DM])]
    async with running_app(config, env=env, port=0) as app:
        await api.feed(*updates[:2])
        await api.wait_for("deleteMessages", 1)
        await api.feed(updates[2])  # after the first deletion: its own deleteMessages call
        await api.wait_for("deleteMessages", 2)
        entries = await log_entries(app)
    assert deleted_ids(api) == [941, 942]  # handled in order: the honest question passed
    by_message = {e.message_id: e for e in entries}
    assert "940" not in by_message or by_message["940"].action.label == "allow"
    assert "AD_CONTACT_WECHAT" in by_message["941"].symbols
    assert {"AD_INCOME_OFFER", "AD_DM_ASK"} <= set(by_message["942"].symbols)
