"""The composition root's services on the example config and a fresh SQLite file, clock held."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.config import load_config
from handlers.services import Services

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
CHAT = "test:-100"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    config = load_config(ROOT / "config.example.yaml",
                         env={"QUNGUAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/q.db"})
    built = App(config, env={}, port=0, clock=lambda: NOW).build()
    await built.db.upgrade()
    yield built
    await built.db.dispose()
