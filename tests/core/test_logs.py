"""``qunguan run --log-file``: the log rotates at its size bound and stays readable."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.logs import configure


def test_a_log_file_rotates_at_its_bound_and_survives_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "qunguan.log"
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "aiosqlite",
                                                                "alembic", "telegram.Bot",
                                                                "telegram.ext.Updater")}
    handler = configure(log_file=path, max_bytes=20_000, backups=2)
    try:
        log = logging.getLogger("test.flood")
        for n in range(2_000):
            log.warning("skipping telegram update %d: message.from.id has the wrong type %s",
                        n, "\ud800")
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        root.removeHandler(handler)
        handler.close()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    files = sorted(tmp_path.glob("qunguan.log*"))
    assert [f.name for f in files] == ["qunguan.log", "qunguan.log.1", "qunguan.log.2"]
    assert all(f.stat().st_size <= 20_000 for f in files)
    assert "\\ud800" in path.read_text("utf-8")
