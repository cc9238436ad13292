"""Bot API calls with bounded retries: 429 retry_after honoured, network errors backed off,
already-gone messages treated as done, missing rights classified (never raised)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.metrics import Meter, method_of

log = logging.getLogger(__name__)

T = TypeVar("T")

GONE = ("message to delete not found", "message can't be deleted", "message_id_invalid",
        "message not found")
RIGHTS = ("not enough rights", "chat_admin_required", "need administrator rights",
          "have no rights", "not an administrator", "can't remove chat owner",
          "user is an administrator of the chat", "can't restrict self",
          "method is available only for supergroups", "bot is not a member",
          "bot was kicked", "hide_requester_missing")


@dataclass(frozen=True, slots=True)
class Result(Generic[T]):
    """``value`` on success; otherwise ``kind`` is gone / rights / bad_request / network."""

    value: T | None = None
    kind: str = "ok"
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.kind in ("ok", "gone")


def classify(exc: TelegramError) -> str:
    text = str(exc).lower()
    if isinstance(exc, BadRequest) and any(g in text for g in GONE):
        return "gone"
    if isinstance(exc, Forbidden) or any(r in text for r in RIGHTS):
        return "rights"
    if isinstance(exc, BadRequest):
        return "bad_request"
    return "error"


def _seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)  # a timedelta; the public attribute warns
    if value is None:  # about its future type
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Caller:
    """Runs one Bot API call, retrying 429s and network failures a bounded number of times.

    Every attempt is counted in ``meter`` (``tg``, its method, its outcome: ok, gone, rights,
    bad_request, error, and ``retry_after`` / ``network`` for attempts retried or given up)
    with its own latency, the sleeps between attempts left out.
    """

    def __init__(
        self,
        *,
        max_retries: int = 3,
        max_retry_after: float = 60.0,
        backoff_base: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        meter: Meter | None = None,
    ) -> None:
        self.meter = meter or Meter()
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.backoff_base = backoff_base
        self._sleep = sleep

    async def __call__(self, what: str, call: Callable[[], Awaitable[T]]) -> Result[T]:
        attempt = 0
        method = method_of(what)
        while True:
            started = time.perf_counter()
            try:
                value = await call()
            except RetryAfter as exc:
                self._count(method, "retry_after", started)
                wait = _seconds(exc)
                if attempt >= self.max_retries or wait > self.max_retry_after:
                    log.warning("%s: flood control, giving up (retry after %.0fs)", what, wait)
                    return Result(kind="flood", detail=f"flood: retry after {wait:.0f}s")
                log.info("%s: flood control, retrying in %.1fs", what, wait)
                await self._sleep(wait)
            except NetworkError as exc:  # includes TimedOut; BadRequest is not a NetworkError
                if isinstance(exc, BadRequest):
                    self._count(method, classify(exc), started)
                    return self._failed(what, exc)
                self._count(method, "network", started)
                if attempt >= self.max_retries:
                    log.warning("%s: network error, giving up: %s", what, exc)
                    return Result(kind="network", detail=f"network: {exc}")
                delay = self.backoff_base * (2**attempt)
                log.info("%s: network error (%s), retrying in %.1fs", what, exc, delay)
                await self._sleep(delay)
            except TelegramError as exc:
                self._count(method, classify(exc), started)
                return self._failed(what, exc)
            else:
                self._count(method, "ok", started)
                return Result(value)
            attempt += 1

    def _count(self, method: str, outcome: str, started: float) -> None:
        self.meter.call("tg", method, outcome, time.perf_counter() - started)

    @staticmethod
    def _failed(what: str, exc: TelegramError) -> Result[T]:
        kind = classify(exc)
        if kind == "gone":
            log.debug("%s: already gone (%s)", what, exc)
        else:
            log.warning("%s failed (%s): %s", what, kind, exc)
        return Result(kind=kind, detail=str(exc))
