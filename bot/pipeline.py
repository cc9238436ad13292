"""Run every enabled policy on one message; a failing or slow policy is isolated, never fatal."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.events import Kind, Message, Segment, Sender
from bot.policy import ChatInfo, Context, MemberSnapshot, Policy
from bot.quick import setter
from bot.verdict import Verdict

log = logging.getLogger(__name__)

#: Result types that are verdicts already (checked before the slower awaitable test).
_PLAIN = (list, tuple)
_WITH_POLICY = setter(Verdict, "policy")


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

    def warm_up(self, now: datetime) -> None:
        """Run every policy once on a made-up message, so that what a policy builds on first
        use (folding tables, keyword automata, compiled kernels, models) is built at start and
        not by the first member's message. Findings and failures are ignored."""
        text = "Hello 你好 Привет 加微信 abc12345 https://example.org/x 13912345678 🙂"
        message = Message("warm-up", "0", Sender("warm-up:0", "warm-up"), now,
                          (Segment(Kind.TEXT, text),))
        ctx = Context(now=now, chat=ChatInfo(chat="warm-up"), member=MemberSnapshot("warm-up:0"))
        for policy in self.policies:
            try:
                result = policy.check(message, ctx)
                if inspect.iscoroutine(result):
                    result.close()  # nothing to await: the message carries no image
            except Exception as exc:  # a policy that fails here fails (and is logged) later
                log.debug("warm-up of policy %s failed: %r", policy.name, exc)

    def _fail(self, name: str, fmt: str, *args: object) -> None:
        self.failures[name] = self.failures.get(name, 0) + 1
        log.warning("policy %s " + fmt, name, *args)


def _tag(name: str, verdicts: Iterable[Verdict]) -> list[Verdict]:
    return [v if v.policy else _WITH_POLICY(v, name) for v in verdicts]
