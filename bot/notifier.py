"""Bot notices that clean up after themselves: sent, then deleted when due, even across restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from bot.batching import WriteBehind
from bot.events import split_id
from bot.gateway import Button, ChatGateway
from bot.i18n import Text
from bot.ports import PendingDeletions

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Notifier:
    """Sends notices and deletes them after ``auto_delete`` (persisted in PendingDeletions)."""

    def __init__(
        self,
        pending: PendingDeletions,
        gateways: Mapping[str, ChatGateway],
        *,
        auto_delete: Callable[[str], timedelta | None] = lambda chat: timedelta(seconds=60),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.pending = pending
        self.gateways = gateways
        self.auto_delete = auto_delete
        self.clock = clock
        self._unsaved: WriteBehind[tuple[str, str, datetime]] = WriteBehind(
            pending.add_many, "pending deletions")
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: when the loop wakes next on its own (None: not planned, any notice wakes it)
        self._planned: datetime | None = None
        self._storing: asyncio.Task[None] | None = None
        self.store_every = 0.25  # seconds: scheduled deletions are stored at most this often

    async def notify(
        self,
        gateway: ChatGateway,
        chat: str,
        text: str | Text,
        *,
        lang: str = "zh-CN",
        reply_to: str | None = None,
        thread_id: str | None = None,
        buttons: Sequence[Button] = (),
        keep: bool = False,
        values: Mapping[str, object] | None = None,
    ) -> str | None:
        body = text.render(lang, **(values or {})) if isinstance(text, Text) else text
        message_id = await gateway.send(
            chat, body, reply_to=reply_to, thread_id=thread_id, buttons=buttons, lang=lang
        )
        after = None if keep else self.auto_delete(chat)
        if message_id is not None and after is not None:
            due = self.clock() + after
            if self._unsaved.add((chat, message_id, due)):
                await self.persist()
            elif self._storing is None or self._storing.done():  # stored at once, in the
                self._storing = asyncio.create_task(self._store())  # background
            if self._planned is None or due < self._planned:
                self._wake.set()  # otherwise the loop's planned turn finds it
        return message_id

    async def _store(self) -> None:
        """Store scheduled deletions until none wait (or a write stores nothing: it failed,
        and the next flush retries). The first is stored at once; those sent meanwhile wait
        for the rest of ``store_every`` and are stored together (a burst of ads, one write)."""
        loop = asyncio.get_running_loop()
        while len(self._unsaved):
            started = loop.time()
            if not await self._unsaved.flush():
                return
            await asyncio.sleep(max(0.0, self.store_every - (loop.time() - started)))

    async def persist(self) -> None:
        """Write scheduled deletions to storage (batched; also on every loop turn and stop);
        returns once every deletion scheduled so far is stored (a write in flight included)."""
        await self._unsaved.flush()

    async def flush_due(self) -> int:
        """Delete every notice that is due now; returns how many were deleted."""
        await self.persist()
        due = await self.pending.take_due(self.clock())
        by_chat: dict[str, list[str]] = defaultdict(list)
        for chat, message_id in due:
            by_chat[chat].append(message_id)
        for chat, ids in by_chat.items():
            gateway = self.gateways.get(split_id(chat)[0])
            if gateway is None:
                log.warning("no gateway for %s; dropping %d pending deletions", chat, len(ids))
                continue
            outcome = await gateway.delete(chat, ids)
            if not outcome.ok:
                log.warning("auto-delete in %s failed: %s", chat, outcome.detail)
        return len(due)

    async def run(self, max_sleep: float = 30.0) -> None:
        """Background loop: sleep until the next deletion is due (or a new one is added)."""
        while True:
            self._wake.clear()
            try:
                await self.flush_due()
                upcoming = await self.pending.next_due()
            except Exception:
                log.exception("auto-delete loop error; retrying")
                upcoming = None
            delay = max_sleep
            if upcoming is not None:
                delay = min(max_sleep, max(0.0, (upcoming - self.clock()).total_seconds()))
            self._planned = self.clock() + timedelta(seconds=delay)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation
            # that arrives in the turn the wake-up does, and stop() would wait forever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay + 0.01):
                    await self._wake.wait()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="qunguan-autodelete")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.persist()
        if self._storing is not None:  # at most store_every: it finds nothing left to store
            await self._storing
            self._storing = None
