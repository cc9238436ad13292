"""A migrated database per test, on SQLite and on PostgreSQL (skipped visibly if unreachable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.testing import DatabaseUnavailable, temp_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    try:
        async with temp_database(request.param, tmp_path) as database:
            yield database
    except DatabaseUnavailable as exc:
        pytest.skip(str(exc))
