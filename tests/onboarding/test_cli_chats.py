"""`qunguan chats`: known chats with status, profile and missing rights; migrated YAML keys."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import cli
from storage.chats import ChatRepo
from storage.db import Database
from tests.onboarding.conftest import CONFIG, OLD_GROUP

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


async def seed(url: str) -> None:
    db = Database(url)
    try:
        await db.upgrade()
        async with db.session() as s:
            repo = ChatRepo(s)
            await repo.upsert("tg:-100111", at=NOW, title="Partial", missing_rights=[
                "can_delete_messages", "can_pin_messages"], settings={"onboarding": {
                    "status": "admin", "observe_for": ["can_delete_messages"]}})
            await repo.upsert("tg:-100222", at=NOW, title="Gone", active=False,
                              settings={"onboarding": {"status": "kicked"}})
            await repo.upsert("tg:-1004001", at=NOW, title="Grown up", chat_type="supergroup",
                              settings={"migrated_from": f"tg:{OLD_GROUP}",
                                        "onboarding": {"status": "admin"}})
    finally:
        await db.dispose()


def test_chats_lists_status_profile_and_missing_rights_and_warns_of_migrated_keys(
    tmp_path: Path
) -> None:
    db = tmp_path / "q.db"
    path = tmp_path / "qunguan.yaml"
    path.write_text(CONFIG.format(base="http://127.0.0.1:9/bot", db=db, old=OLD_GROUP),
                    encoding="utf-8")
    asyncio.run(seed(f"sqlite+aiosqlite:///{db}"))
    result = CliRunner().invoke(cli, ["chats", "--config", str(path)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.stdout.splitlines()
             if line.startswith("│ tg:")}
    assert "active (observe)" in lines["tg:-100111"]
    assert "can_delete_messages, can_pin_messages" in lines["tg:-100111"]
    assert "removed" in lines["tg:-100222"] and "default" in lines["tg:-100222"]
    assert "active" in lines["tg:-1004001"]
    assert f"YAML entry tg:{OLD_GROUP} now applies to tg:-1004001" in result.stderr
