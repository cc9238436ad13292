"""Shared claims on PostgreSQL in one round trip: asyncpg directly, a prepared statement, no ORM."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database

#: Claim every key (new, or its holder's lease lapsed at the caller's time) in one statement,
#: in key order (workers claiming overlapping keys lock them in one order: no deadlock); for
#: each key, whether this statement won it and, if not, its state as the statement found it.
#: One implicit transaction: no BEGIN/COMMIT round trips.
CLAIM = """
WITH asked AS (
  SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::timestamptz[]) AS a(k, at, until)
), won AS (
  INSERT INTO processed_updates AS p (key, created_at, state, worker, lease_until)
  SELECT k, at, 'claimed', $4, until FROM asked ORDER BY k
  ON CONFLICT (key) DO UPDATE SET worker = excluded.worker,
    lease_until = excluded.lease_until, created_at = excluded.created_at
  WHERE p.state = 'claimed' AND p.lease_until < excluded.created_at
  RETURNING p.key
)
SELECT k, k IN (SELECT key FROM won) AS won, held.state, held.worker
FROM asked LEFT JOIN processed_updates AS held ON held.key = k
"""
Claimed = tuple[bool, str | None]


def _dropped(exc: Exception) -> bool:
    """The connection was lost (the server restarted or ended it), not the statement refused."""
    import asyncpg  # type: ignore[import-untyped]

    return isinstance(exc, OSError | asyncpg.PostgresConnectionError | asyncpg.InterfaceError
                      | asyncpg.InternalClientError  # a dropped connection's state, seen
                      | asyncpg.exceptions.OperatorInterventionError)


def asyncpg_dsn(url: str) -> str:
    """The plain ``postgresql://`` form asyncpg takes of a SQLAlchemy URL (of its query, only
    the TLS settings: asyncpg would send other keys to the server as settings)."""
    parsed = make_url(url)
    query = {k: v for k, v in parsed.query.items() if k in ("ssl", "sslmode")}
    return parsed.set(drivername="postgresql", query=query).render_as_string(
        hide_password=False)


async def _unchanged(connection: Any) -> None:
    """Nothing to reset when a claims connection goes back to its pool: a claim is one
    statement in its own implicit transaction (no cursor, listener, setting or advisory lock
    outlives it), and asyncpg still rolls back an open transaction itself. Its default reset
    (pg_advisory_unlock_all, CLOSE ALL, UNLISTEN *, RESET ALL) was a round trip per claim."""


class PgClaims:
    """Claims for ``worker`` on connections of their own (opened on first use, ``close``d
    with the app): an ORM session's checkout ping, BEGIN and COMMIT cost three round trips
    and ~1 ms of CPU per claim, the claim itself one statement. Claims asked while a
    statement is in flight go together in the next one (under load, many updates' claims
    share one round trip); asyncpg prepares the statement once per connection."""

    def __init__(self, db: Database, worker: str, *, size: int = 2) -> None:
        self.db = db
        self.dsn = asyncpg_dsn(db.url)
        self.worker = worker
        self.size = size
        self._pool: Any = None
        self._opening = asyncio.Lock()
        self._asked: dict[str, tuple[datetime, datetime, asyncio.Future[Claimed]]] = {}
        self._sending: asyncio.Task[None] | None = None

    async def _opened(self) -> Any:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    import asyncpg

                    async with self.db.reading() as conn:  # the engine's schema, if set
                        path = await conn.scalar(text("SELECT current_setting('search_path')"))
                    self._pool = await asyncpg.create_pool(
                        self.dsn, min_size=1, max_size=self.size, reset=_unchanged,
                        server_settings={"search_path": str(path),
                                         "application_name": "qunguan-claims"})
        return self._pool

    async def claim(self, keys: Sequence[str], at: datetime, until: datetime
                    ) -> dict[str, Claimed]:
        """Each key: (won, its state when lost: ``claimed`` or ``done``). A key lost to a
        claim committed after the statement began, or asked by another caller in the same
        statement, reads as ``claimed`` (the caller asks again)."""
        loop = asyncio.get_running_loop()
        futures: dict[str, asyncio.Future[Claimed]] = {}
        for key in dict.fromkeys(keys):
            future: asyncio.Future[Claimed] = loop.create_future()
            if key in self._asked:
                future.set_result((False, "claimed"))
            else:
                self._asked[key] = (at, until, future)
            futures[key] = future
        if self._sending is None or self._sending.done():
            self._sending = loop.create_task(self._send())
        return {key: await future for key, future in futures.items()}

    async def _send(self) -> None:
        while self._asked:
            await asyncio.sleep(0)  # claims asked at this moment join
            asked, self._asked = self._asked, {}
            keys = list(asked)
            try:
                rows, again = await self._fetch(keys, asked)
            except Exception as exc:
                for _, _, future in asked.values():
                    if not future.done():
                        future.set_exception(exc)
                continue
            for key, won, state, holder in rows:
                future = asked[key][2]
                if again and not won and state == "claimed" and holder == self.worker:
                    won = True  # the lost attempt had committed: this worker holds it
                if not future.done():
                    future.set_result((True, None) if won else (False, state or "claimed"))

    async def _fetch(self, keys: list[str], asked: dict[str, tuple[datetime, datetime, Any]]
                     ) -> tuple[list[Any], bool]:
        """The statement's rows, asked again once on a fresh connection when the database
        dropped this one (restarted); and whether it was asked again."""
        pool = await self._opened()
        args = (keys, [asked[k][0] for k in keys], [asked[k][1] for k in keys], self.worker)
        try:
            return await pool.fetch(CLAIM, *args), False
        except Exception as exc:
            if not _dropped(exc):
                raise
            await pool.expire_connections()  # every connection is opened anew
            return await pool.fetch(CLAIM, *args), True

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
