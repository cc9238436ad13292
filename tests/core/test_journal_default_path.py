"""Where updates are journaled by default: beside a SQLite file; with PostgreSQL in the working
directory, named after the config file; nowhere for an in-memory database or when turned off."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.config import load_config

ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql+asyncpg://qunguan@127.0.0.1:5432/test"


def app(tmp_path: Path, url: str, **env: str) -> App:
    source = tmp_path / "worker1.yaml"
    source.write_text((ROOT / "config.example.yaml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    settings = {"TELEGRAM_BOT_TOKEN": "123456:TEST", "QUNGUAN_DATABASE_URL": url, **env}
    return App(load_config(source, env=settings), env=settings, port=0)


def test_postgresql_journals_in_the_working_directory_under_the_config_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert app(tmp_path, PG)._journal_path() == tmp_path / "worker1.journal"


def test_a_sqlite_file_journals_beside_itself(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'q.db'}"
    assert app(tmp_path, url)._journal_path() == tmp_path / "data" / "q.journal"


def test_the_environment_chooses_the_journal_or_turns_it_off(tmp_path: Path) -> None:
    chosen = tmp_path / "state" / "updates.journal"
    assert app(tmp_path, PG, QUNGUAN_JOURNAL=str(chosen))._journal_path() == chosen
    assert app(tmp_path, PG, QUNGUAN_JOURNAL="off")._journal_path() is None


def test_an_in_memory_database_has_no_journal(tmp_path: Path) -> None:
    assert app(tmp_path, "sqlite+aiosqlite:///:memory:")._journal_path() is None
