"""The result of one OneBot action and the protocol every transport that sends actions meets."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.metrics import Meter


@dataclass(frozen=True, slots=True)
class ActionResult:
    """A reply ``{status, retcode, data, message, echo}``; transport failures have retcode -1."""

    ok: bool
    retcode: int = 0
    data: Any = None
    message: str = ""

    @classmethod
    def from_reply(cls, reply: Mapping[str, Any]) -> ActionResult:
        status = reply.get("status")
        retcode = reply.get("retcode", 0)
        code = retcode if isinstance(retcode, int) and not isinstance(retcode, bool) else -1
        ok = status in ("ok", "async") and code in (0, 1)
        message = str(reply.get("message") or reply.get("wording") or reply.get("msg") or "")
        return cls(ok, code, reply.get("data"), message)

    @classmethod
    def failed(cls, message: str, retcode: int = -1) -> ActionResult:
        return cls(False, retcode, None, message)

    @property
    def outcome(self) -> str:
        """A metrics label: ``ok``, ``error`` (the implementation refused) or ``transport``
        (no reply: a timeout, a dropped connection)."""
        return "ok" if self.ok else ("transport" if self.retcode == -1 else "error")

    def describe(self) -> str:
        """A short text for the moderation log: ``ok`` or ``retcode 102: reason``."""
        if self.ok:
            return "ok"
        return f"retcode {self.retcode}: {self.message}" if self.message else (
            f"retcode {self.retcode}"
        )


class ActionCaller(Protocol):
    """Sends one action for one bot account (``self_id``; empty: whichever is connected)."""

    async def call(
        self, action: str, params: Mapping[str, Any], self_id: str = ""
    ) -> ActionResult: ...


async def metered(meter: Meter, platform: str, action: str,
                  call: Awaitable[ActionResult]) -> ActionResult:
    """Await one action, counting it (action, outcome) and its latency in ``meter``."""
    started = time.perf_counter()
    result = await call
    meter.call(platform, action, result.outcome, time.perf_counter() - started)
    return result
