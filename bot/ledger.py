"""Each platform delivery is processed once, each platform message once whatever update carried
it: an in-memory window with batched persistence (one process), or an atomic shared claim."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.batching import WriteBehind


class ProcessedKeys(Protocol):
    """Storage of processed delivery keys (``storage/`` implements it)."""

    async def add_many(self, keys: Sequence[str], at: datetime) -> None: ...

    async def since(self, cutoff: datetime) -> list[str]: ...


@runtime_checkable
class Purging(Protocol):
    """A key store that forgets old keys (``storage.updates.SqlProcessedKeys``)."""

    async def purge(self, cutoff: datetime) -> int: ...


class SharedClaims(Protocol):
    """An atomic claim every worker sees (``storage/`` implements it on PostgreSQL): held by
    its worker under a lease until ``done``; a lapsed lease lets another worker take it."""

    async def add(self, key: str, at: datetime) -> bool:
        """True for the one caller that won ``key`` (first, or after its holder's lease lapsed),
        False for every other."""
        ...

    async def done(self, keys: Sequence[str]) -> None:
        """The effects of what ``keys`` carried are durable: redeliveries are duplicates."""
        ...

    async def renew(self, keys: Sequence[str], at: datetime) -> None:
        """This worker still holds ``keys``: their leases run from ``at``."""
        ...


def message_key(chat: str, message_id: str, edited_at: str = "") -> str:
    """The shared key of one platform message (one edit of it), short enough to store."""
    key = f"m:{chat}:{message_id}:{edited_at}"
    return key if len(key) <= 180 else "m#" + hashlib.sha256(key.encode()).hexdigest()


class MessageClaims:
    """The platform messages being handled, by (chat, message id, edit date): the same message
    under two update ids (a redelivery numbered anew, a bridge reporting twice) is handled
    once. In-process and bounded; with several workers ``UpdateLedger.claim_message`` adds
    the shared claim behind it."""

    def __init__(self, window: int = 50_000) -> None:
        self.window = window
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    def claim(self, chat: str, message_id: str, edited_at: str = "") -> bool:
        """True the first time this message (this edit of it) is claimed."""
        key = (chat, message_id, edited_at)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.window:
            self._seen.popitem(last=False)
        return True


class UpdateLedger:
    """Claims delivery keys. Redeliveries (webhook retries, restarts) are refused.

    One process: keys are remembered in a bounded in-memory window from the claim on; a key
    is written to storage only once its update was handled (``finish``) and by ``flush``,
    which the app calls after writing the effects that update left buffered (raid log
    entries, points): a stored key means "its effects are stored", so a journal replaying
    the update after a crash may skip it. ``ready`` counts the keys a flush started now may
    write. The hot path costs no database round trip; at start the window is reloaded.

    Several workers (``shared``): the window only refuses what this process already saw;
    every other key is claimed in one atomic statement all workers share, before any effect,
    so an update delivered to two workers at once, or again later, is handled by one. A claim
    is held under a lease (renewed by ``flush`` while held) until the task that claimed it has
    finished and a flush made its effects durable (``finished`` before, ``done`` after the
    flush): a worker dying in between leaves the claim to lapse, and the platform's
    redelivery is taken over by another worker.
    """

    def __init__(self, store: ProcessedKeys | None = None, *, window: int = 50_000,
                 batch: int = 200,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 shared: SharedClaims | None = None,
                 horizon: timedelta = timedelta(days=2),
                 purge_every: timedelta = timedelta(hours=1)) -> None:
        self.store = store
        self.shared = shared
        #: keys older than this are forgotten in storage (platforms stop redelivering sooner)
        self.horizon = horizon
        self.purge_every = purge_every
        self._purged_at: datetime | None = None
        self.window = window
        self.batch = batch
        self.clock = clock
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._unsaved: WriteBehind[str] = WriteBehind(self._write, "processed keys",
                                                      batch=batch)
        self.messages = MessageClaims(window)
        #: shared claims held: by the tasks still handling them, then finished (not yet done)
        self._running: dict[asyncio.Task[object], list[str]] = {}
        self._finished: dict[str, None] = {}
        self._renewed_at: datetime | None = None
        #: leases are renewed once this much of them has passed (the store's lease / 3)
        self.renew_every = getattr(shared, "lease", timedelta(seconds=15)) / 3

    async def load(self, horizon: timedelta | None = None) -> int:
        if self.store is None or self.shared is not None:  # shared claims are the record
            return 0
        for key in await self.store.since(self.clock() - (horizon or self.horizon)):
            self._remember(key)
        return len(self._seen)

    def _remember(self, key: str) -> None:
        self._seen[key] = None
        if len(self._seen) > self.window:
            self._seen.popitem(last=False)

    async def claim(self, key: str) -> bool:
        """True the first time a key is seen; False for any redelivery."""
        if key in self._seen:
            return False
        self._remember(key)
        if self.shared is not None:
            return await self._claim_shared(key)
        return True

    def finish(self, key: str) -> None:
        """The update claimed under ``key`` was handled: the key is stored by a later flush
        (one process; shared claims are finished by their task's end)."""
        if self.shared is None:
            self._unsaved.add(key)

    def ready(self) -> int:
        """How many finished keys wait: a flush given this count writes those only, not keys
        of updates finished after their buffered effects were written."""
        return len(self._unsaved)

    async def claim_message(self, chat: str, message_id: str, edited_at: str = "") -> bool:
        """True the first time this platform message (this edit of it) is claimed, by any
        worker when the ledger is shared."""
        if not self.messages.claim(chat, message_id, edited_at):
            return False
        if self.shared is None:
            return True
        return await self._claim_shared(message_key(chat, message_id, edited_at))

    async def _claim_shared(self, key: str) -> bool:
        assert self.shared is not None
        if not await self.shared.add(key, self.clock()):
            return False
        task = asyncio.current_task()
        if task is None:
            self._finished[key] = None
            return True
        held = self._running.get(task)
        if held is None:
            held = self._running[task] = []
            task.add_done_callback(self._ended)
        held.append(key)
        return True

    def _ended(self, task: asyncio.Task[object]) -> None:
        """The task handling claimed keys ended: finished unless it failed or was cancelled
        (then the claims lapse with their leases, and a redelivery is handled again)."""
        keys = self._running.pop(task, [])
        if not task.cancelled() and task.exception() is None:
            self._finished.update(dict.fromkeys(keys))

    def finished(self) -> tuple[str, ...]:
        """Before a flush: the claims whose handling finished (durable once it succeeded)."""
        return tuple(self._finished)

    async def done(self, keys: Sequence[str]) -> None:
        """After a successful flush: what ``finished`` returned before it is done."""
        if self.shared is None or not keys:
            return
        await self.shared.done(keys)
        for key in keys:
            self._finished.pop(key, None)

    async def flush(self, ready: int | None = None) -> None:
        """Write the first ``ready`` finished keys (all without it) after the write in flight,
        if any; once per ``purge_every``, forget stored keys older than ``horizon``."""
        await self._unsaved.flush(ready)
        now = self.clock()
        if self.shared is not None and (self._running or self._finished) and (
                self._renewed_at is None or now - self._renewed_at >= self.renew_every):
            self._renewed_at = now
            held = [key for keys in self._running.values() for key in keys]
            await self.shared.renew([*held, *self._finished], now)
        if self._purged_at is not None and now - self._purged_at < self.purge_every:
            return
        self._purged_at = now
        purged: set[int] = set()
        for store in (self.store, self.shared):
            if isinstance(store, Purging) and id(store) not in purged:
                purged.add(id(store))
                await store.purge(now - self.horizon)

    async def _write(self, keys: list[str]) -> None:
        if self.store is not None:  # without storage, the in-memory window is all there is
            await self.store.add_many(keys, self.clock())
