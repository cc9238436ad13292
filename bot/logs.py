"""Logging for ``qunguan run``: production levels, a size-bounded file, libraries kept quiet."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: libraries whose INFO lines are per request (one per Bot API call or query)
NOISY = ("httpx", "aiosqlite", "alembic", "telegram.ext.Updater", "telegram.Bot")


def configure(*, verbose: bool = False, log_file: Path | None = None,
              max_bytes: int = 10 * 1024 * 1024, backups: int = 5) -> logging.Handler:
    """INFO (DEBUG with ``verbose``) to stderr, or to ``log_file`` rotated at ``max_bytes``
    keeping ``backups`` old files, so a flood of odd input cannot fill a disk. Member texts
    are logged at DEBUG only; skipped input is counted and rate-limited (``bot.faults``)."""
    handler: logging.Handler
    if log_file is None:
        handler = logging.StreamHandler()
    else:
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8",
            errors="backslashreplace")
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
