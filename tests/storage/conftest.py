"""A database per test, on SQLite and on PostgreSQL (skipped visibly if unreachable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.db import Database
from storage.testing import KINDS, DatabaseUnavailable, temp_database

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
CHAT = "tg:-1001"


@pytest.fixture(params=KINDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    try:
        async with temp_database(request.param, tmp_path) as database:
            yield database
    except DatabaseUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(params=KINDS)
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables at all (migrations not applied)."""
    try:
        async with temp_database(request.param, tmp_path, migrate=False) as database:
            yield database
    except DatabaseUnavailable as exc:
        pytest.skip(str(exc))
