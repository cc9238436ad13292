"""Log retention: entries older than ``log_retention`` (default 30 days) are purged hourly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storage import tallies
from storage.insights_activity import purge_activity
from storage.logs import LogRepo

if TYPE_CHECKING:
    from handlers.services import Services

log = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0
#: daily point tallies are kept this long (a local day is over everywhere after two)
TALLY_DAYS = timedelta(days=3)
#: the dashboard's day and hour counts: a year of history and a month to compare it with
ACTIVITY_DAYS = timedelta(days=400)


async def purge_expired(services: Services, now: datetime) -> int:
    """Delete log entries older than the configured retention (returns how many), daily
    point tallies of days long over and activity counts older than ``ACTIVITY_DAYS``."""
    cutoff = now - services.config.app.log_retention
    async with services.db.session() as session:
        await tallies.purge(session, (now - TALLY_DAYS).date())
        await purge_activity(session, now - ACTIVITY_DAYS)
        return await LogRepo(session).purge_older_than(cutoff)


async def _loop(services: Services, every: float) -> None:
    while True:
        try:
            purged = await purge_expired(services, services.clock())
            if purged:
                log.info("purged %d moderation-log entries past retention", purged)
        except Exception:
            log.exception("log purge failed; will retry")
        await asyncio.sleep(every)


async def start_purging(services: Services) -> None:
    """Startup hook: purge now, then every hour until shutdown."""
    task = asyncio.create_task(_loop(services, EVERY_SECONDS), name="qunguan-log-purge")
    services.extras["mod_purge_task"] = task


async def stop_purging(services: Services) -> None:
    """Shutdown hook."""
    task = services.extras.pop("mod_purge_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
