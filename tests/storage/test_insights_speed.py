"""The dashboard's reads on a busy chat (1,000 members, 100,000 messages) stay well in budget."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.desk import LogFilter
from storage.db import Database
from storage.insights import InsightRepo
from storage.testing import seed_busy_chat
from tests.storage.conftest import CHAT, NOW

BUDGET_S = 0.2  # a whole page; the data layer's share must fit with room to spare


async def _best_of(runs: int, call: Callable[[], Awaitable[object]]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        best = min(best, time.perf_counter() - started)
    return best


async def test_every_page_of_a_busy_chat_reads_within_the_page_budget(db: Database) -> None:
    await seed_busy_chat(db, CHAT, now=NOW)
    async with db.session() as session:
        repo = InsightRepo(session)
        whole = await repo.overview([CHAT], now=NOW, days=90)
        everyone = await repo.members(CHAT, now=NOW, limit=0)
        log = await repo.log_page(CHAT, LogFilter())
        assert sum(p.messages for p in whole.days) == 100_000 and sum(whole.hours) == 100_000
        assert everyone.total == 1000 and sum(log.counts.values()) == 2000
        pages: dict[str, Callable[[], Awaitable[object]]] = {
            "overview": lambda: repo.overview([CHAT], now=NOW, tz=ZoneInfo("Asia/Shanghai")),
            "members": lambda: repo.members(CHAT, now=NOW,
                                            inactive_before=NOW - timedelta(days=30)),
            "search": lambda: repo.members(CHAT, query="member 9", offset=50, now=NOW),
            "checkins": lambda: repo.checkins(CHAT, today=NOW.date(), goal=21),
            "log": lambda: repo.log_page(CHAT, LogFilter(symbol="REDPACKET_SPAM")),
        }
        took = {name: await _best_of(3, call) for name, call in pages.items()}
    assert all(seconds < BUDGET_S for seconds in took.values()), took
