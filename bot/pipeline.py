"""Run every enabled policy on one message; a failing or slow policy is isolated, never fatal."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.events import Message
from bot.policy import Context, Policy
from bot.verdict import Verdict

log = logging.getLogger(__name__)

#: Result types that are verdicts already (checked before the slower awaitable test).
_PLAIN = (list, tuple)


class Pipeline:
    """An ordered set of policies run against a message and its context."""

    def __init__(self, policies: Sequence[Policy], *, timeout: float = 2.0) -> None:
        self.policies = tuple(policies)
        self.timeout = timeout
        self.failures: dict[str, int] = {}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.policies)

    async def run(self, message: Message, ctx: Context) -> list[Verdict]:
        verdicts: list[Verdict] = []
        for policy in self.policies:
            started = time.perf_counter()
            try:
                result = policy.check(message, ctx)
                if not isinstance(result, _PLAIN) and inspect.isawaitable(result):
                    async with asyncio.timeout(self.timeout):  # not wait_for: see notifier
                        result = await result
                if result:  # most policies see nothing: no tagging, no list to extend
                    verdicts.extend(_tag(policy.name, result))
            except TimeoutError:
                self._fail(policy.name, "timed out after %.1fs", self.timeout)
                continue
            except Exception:
                log.exception("policy %s failed on message %s", policy.name, message.message_id)
                self.failures[policy.name] = self.failures.get(policy.name, 0) + 1
                continue
            elapsed = time.perf_counter() - started
            if elapsed > 0.05:
                log.warning("policy %s took %.1f ms", policy.name, elapsed * 1000)
        return verdicts

    def _fail(self, name: str, fmt: str, *args: object) -> None:
        self.failures[name] = self.failures.get(name, 0) + 1
        log.warning("policy %s " + fmt, name, *args)


def _tag(name: str, verdicts: Iterable[Verdict]) -> list[Verdict]:
    return [v if v.policy else replace(v, policy=name) for v in verdicts]
