"""Acknowledged means durable: a received update is journaled before Telegram is told, and one
left unfinished by a crash is replayed at the next start, its effects stored once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.adapters.telegram.standin import StandInBotApi
from bot.app import running_app
from bot.journal import Journal
from tests.onebot.conftest import until
from tests.telegram.test_app import example_config
from tests.telegram.test_outbox_standin import ad, deleted


async def log_entries(app: object, message_id: str) -> int:
    from sqlalchemy import text

    services = app.services  # type: ignore[attr-defined]
    async with services.db.session() as session:
        rows = await session.execute(text("SELECT count(*) FROM mod_log WHERE message_id = :m"),
                                     {"m": message_id})
        return int(rows.scalar_one())


def test_the_journal_gives_back_what_was_received_and_not_done(tmp_path: Path) -> None:
    path = tmp_path / "q.journal"
    path.write_text("\n".join([json.dumps({"u": {"update_id": 1}}),
                               json.dumps({"u": {"update_id": 2}}),
                               json.dumps({"d": [1]}),
                               '{"u": {"update_id": 3, "mess']) + "\n", encoding="utf-8")
    assert Journal(path).pending() == [{"update_id": 2}]  # a torn last line was never acked
    assert Journal(path).pending() == [{"update_id": 2}]  # compacted, still pending


async def test_an_update_whose_journal_write_failed_is_written_when_delivered_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing was confirmed after a failed write, so Telegram offers the update again: it
    must be written then, not skipped as if it were already on disk."""
    journal = Journal(tmp_path / "q.journal")
    journal.pending()
    failing = {"on": True}
    append = journal._append

    def flaky(lines: list[str], sync: bool) -> None:
        if failing["on"]:
            raise OSError("no space left on device")
        append(lines, sync)

    monkeypatch.setattr(journal, "_append", flaky)
    with pytest.raises(OSError):
        await journal.received([{"update_id": 5}])
    failing["on"] = False
    await journal.received([{"update_id": 5}])
    assert Journal(tmp_path / "q.journal").pending() == [{"update_id": 5}]


async def test_an_acknowledged_update_left_unfinished_is_handled_once_after_a_restart(
    tmp_path: Path,
) -> None:
    update = ad(-1007, 77, 4242)
    async with StandInBotApi() as api:
        config, env = example_config(api, tmp_path)
        journal = tmp_path / "q.journal"  # beside the SQLite file q.db
        for start in range(2):  # as if killed after getUpdates acknowledged it, twice
            journal.write_text(json.dumps({"u": update}) + "\n", encoding="utf-8")
            async with running_app(config, env=env, port=0) as app:
                await until(lambda: 4242 in deleted(api, -1007), 30)
                await app.settle()
                assert await log_entries(app, "4242") == 1, f"start {start}"
            assert Journal(journal).pending() == []  # marked done once durable
    assert deleted(api, -1007) == [4242]  # the second replay was known as processed


async def test_a_logged_deletion_a_crash_left_undone_is_carried_out_once_after_a_restart(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from bot.app import App
    from bot.ports import LogEntry
    from bot.verdict import Action

    update = ad(-1008, 88, 4343)
    async with StandInBotApi() as api:
        config, env = example_config(api, tmp_path)
        built = App(config, env=env, port=0).build()  # as if killed right after logging it
        await built.db.upgrade()
        async with built.store.transaction() as tx:
            await tx.log(LogEntry("tg:-1008", "tg:88", Action.DELETE, datetime.now(UTC),
                                  message_id="4343", reason="ad"))
        await built.db.dispose()
        (tmp_path / "q.journal").write_text(json.dumps({"u": update}) + "\n", encoding="utf-8")
        async with running_app(config, env=env, port=0) as app:
            await until(lambda: 4343 in deleted(api, -1008), 30)
            await app.settle()
            assert await log_entries(app, "4343") == 1  # the replay was known as handled
    assert deleted(api, -1008) == [4343]
