"""Test helpers: a throw-away migrated database on SQLite or on a private PostgreSQL schema.

Other suites use it as::

    @pytest.fixture(params=KINDS)
    async def db(request, tmp_path):
        try:
            async with temp_database(request.param, tmp_path) as database:
                yield database
        except DatabaseUnavailable as exc:
            pytest.skip(str(exc))
"""

from __future__ import annotations

import math
import os
import random
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from storage.db import Database

#: Where the PostgreSQL tests run (override with ``QUNGUAN_TEST_PG_URL``).
PG_URL = os.environ.get("QUNGUAN_TEST_PG_URL",
                        "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
KINDS = ("sqlite", "postgresql")
CONNECT_TIMEOUT_S = 5


class DatabaseUnavailable(RuntimeError):
    """The requested server database cannot be reached (tests skip with this reason)."""


def pg_schema_kwargs(schema: str) -> dict[str, Any]:
    """Engine arguments that put every connection's ``search_path`` on ``schema``."""
    return {"connect_args": {"server_settings": {"search_path": schema},
                             "timeout": CONNECT_TIMEOUT_S}}


@asynccontextmanager
async def temp_database(kind: str, tmp_path: Path | None = None, *, migrate: bool = True
                        ) -> AsyncIterator[Database]:
    """A migrated, empty database: ``kind`` is ``"sqlite"`` or ``"postgresql"``.

    SQLite lives in a fresh file under ``tmp_path`` (a temporary directory if None).
    PostgreSQL gets a schema of its own (``t_<hex>``, dropped afterwards) so parallel runs
    never collide; raises ``DatabaseUnavailable`` when the server cannot be reached.
    """
    if kind == "sqlite":
        async with _sqlite(tmp_path, migrate) as db:
            yield db
    elif kind == "postgresql":
        async with _postgresql(migrate) as db:
            yield db
    else:
        raise ValueError(f"unknown database kind {kind!r}; expected one of {KINDS}")


@asynccontextmanager
async def _sqlite(tmp_path: Path | None, migrate: bool) -> AsyncIterator[Database]:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'qunguan.db'}")
        try:
            if migrate:
                await db.upgrade()
            yield db
        finally:
            await db.dispose()


@asynccontextmanager
async def _postgresql(migrate: bool) -> AsyncIterator[Database]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = Database(PG_URL, connect_args={"timeout": CONNECT_TIMEOUT_S})
    try:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # connection refused, auth, missing database, timeout
        await admin.dispose()
        raise DatabaseUnavailable(f"PostgreSQL not reachable at {PG_URL}: {exc!r}") from exc
    db = Database(PG_URL, **pg_schema_kwargs(schema))
    try:
        if migrate:
            await db.upgrade()
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def second_engine(db: Database) -> Database:
    """Another ``Database`` on the same data and schema: a second process's view of it."""
    return Database(db.url, **db.options)


_SYMBOLS = ("AD_CONTACT_WECHAT", "AD_LINK_SHORTENER", "FLOOD_RATE", "ABUSE_INSULT",
            "VOICE_UNAUTHORISED", "OFFTOPIC_CRYPTO", "REDPACKET_SPAM")
#: How often each action appears in a busy chat's log (flag … ban).
_ACTIONS = ((1, 30), (2, 40), (3, 15), (4, 10), (5, 4), (6, 1))
_CHUNK_ROWS = 5000


async def seed_busy_chat(db: Database, chat: str, *, members: int = 1000,
                         messages: int = 100_000, days: int = 90, now: datetime) -> None:
    """Fill ``chat`` like a busy community for benchmarks, with bulk inserts (seconds).

    Members post with a long tail (a few write most), more in the evening (UTC hours: the
    seed knows no zone, so its days are UTC days); ~10% have left, three are staff. Adds
    ``member_days`` and ``activity_hours`` as the activity flush would, contributions per
    member-day and some thanks, check-in runs, ~300 warns and ~2,000 log entries with
    content and symbols. Deterministic for a given ``chat``.
    """
    from bot.events import Role
    from storage.models import (
        ActivityHourRow,
        CheckinRow,
        ContributionRow,
        LogRow,
        MemberDayRow,
        MemberRow,
        WarnRow,
    )

    rng = random.Random(chat)
    platform = chat.partition(":")[0] or "test"
    users = [f"{platform}:{100_000 + n}" for n in range(members)]
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    weights = [1 / (n + 1) ** 0.9 for n in range(members)]
    hour_weights = [1 + 3 * math.exp(-((h - 13) ** 2) / 18) for h in range(24)]
    per_day: Counter[tuple[int, date]] = Counter()
    per_hour: Counter[datetime] = Counter()
    last: dict[int, datetime] = {}
    for who, offset, hour in zip(rng.choices(range(members), weights, k=messages),
                                 rng.choices(range(days), k=messages),
                                 rng.choices(range(24), hour_weights, k=messages), strict=True):
        day = first + timedelta(days=offset)
        moment = datetime.combine(day, time(hour), tzinfo=UTC)
        if moment > now:
            moment = now.replace(minute=0, second=0, microsecond=0)
            day = moment.date()
        per_day[(who, day)] += 1
        per_hour[moment] += 1
        last[who] = max(last.get(who, moment), moment)
    counts = Counter[int]()
    for (who, _), n in per_day.items():
        counts[who] += n
    member_rows = []
    for n, user in enumerate(users):
        joined = now - timedelta(days=rng.uniform(0, days * 2), minutes=n)
        left = (joined + timedelta(days=rng.uniform(1, 30))
                if n >= 3 and rng.random() < 0.1 else None)
        member_rows.append({
            "chat": chat, "user_id": user, "name": f"Member {n}", "username": f"member{n}",
            "role": int(Role.OWNER if n == 0 else Role.MODERATOR if n < 3 else Role.MEMBER),
            "joined_at": joined, "left_at": left if left is None or left < now else None,
            "first_seen": joined, "last_seen": last.get(n), "message_count": counts[n],
            "approved": False, "voice_allowed": False})
    contributions = [{"chat": chat, "user_id": users[who], "kind": "message",
                      "points": min(n, 20) * 0.1,
                      "created_at": datetime.combine(day, time(23), tzinfo=UTC)}
                     for (who, day), n in per_day.items()]
    contributions += [{"chat": chat, "user_id": users[rng.choices(range(members), weights)[0]],
                       "kind": "thanks", "points": 1.0,
                       "created_at": now - timedelta(minutes=rng.uniform(0, days * 1440))}
                      for _ in range(messages // 50)]
    checkins = []
    for who in rng.sample(range(members), min(members, 150)):
        day = today - timedelta(days=rng.randrange(days))
        while day <= today:
            checkins.append({"chat": chat, "user_id": users[who], "day": day,
                             "created_at": datetime.combine(day, time(1), tzinfo=UTC)})
            day += timedelta(days=1 if rng.random() < 0.85 else rng.randint(2, 5))
    warns = []
    for _ in range(300):
        at = now - timedelta(minutes=rng.uniform(0, days * 1440))
        warns.append({"chat": chat, "user_id": users[rng.randrange(members)],
                      "reason": "seeded", "actor": "auto", "created_at": at,
                      "expires_at": at + timedelta(days=30), "revoked": rng.random() < 0.05})
    log = []
    for n in range(2000):
        at = now - timedelta(minutes=(2000 - n) * days * 1440 / 2000)
        who = rng.randrange(members)
        action = rng.choices([a for a, _ in _ACTIONS], [w for _, w in _ACTIONS])[0]
        symbols = {s: round(rng.uniform(1, 8), 1) for s in rng.sample(_SYMBOLS, rng.randint(1, 3))}
        observe = rng.random() < 0.1
        log.append({
            "chat": chat, "user_id": users[who], "message_id": str(10_000 + n),
            "action": 1 if observe else action, "shadow_action": action if observe else None,
            "degraded_from": None, "actor": "auto", "score": sum(symbols.values()),
            "symbols": symbols, "reason": ", ".join(symbols), "observe": observe,
            "content": {"chat": chat, "message_id": str(10_000 + n), "date": at.isoformat(),
                        "sender": {"id": users[who], "name": f"Member {who}"},
                        "segments": [{"kind": "text", "text": f"seeded message {n} 加微信",
                                      "data": {}}]},
            "warn_id": None, "outcome": "ok", "until": None, "created_at": at,
            "undone_at": None, "undone_by": ""})
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (MemberRow, member_rows),
        (MemberDayRow, [{"chat": chat, "user_id": users[who], "day": day, "messages": n}
                        for (who, day), n in per_day.items()]),
        (ActivityHourRow, [{"chat": chat, "hour": hour, "messages": n}
                           for hour, n in per_hour.items()]),
        (ContributionRow, contributions), (CheckinRow, checkins), (WarnRow, warns),
        (LogRow, log)]
    async with db.session() as session:
        for model, rows in tables:
            table = model.__table__
            for start in range(0, len(rows), _CHUNK_ROWS):
                await session.execute(insert(table), rows[start:start + _CHUNK_ROWS])
