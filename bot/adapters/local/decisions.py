"""After a message is judged: the reason, symbols and warns the page shows beside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.enforcer import Enforcement
from bot.events import Message
from bot.runtime import ChatRuntime
from bot.verdict import Action, Decision

from .protocol import frame
from .state import CHAT, PlaygroundState, Removal

Broadcast = Callable[[dict[str, Any]], Awaitable[None]]


def removal_of(decision: Decision, action: Action) -> Removal:
    """The primary verdict's reason in both languages and every symbol with its score."""
    primary = decision.primary
    verdicts = decision.verdicts or decision.observed
    if primary is None and decision.observed:
        primary = max(decision.observed, key=lambda v: (v.force or 0, v.score))
    return Removal(
        reason_en=primary.reason.en if primary else "",
        reason_zh=primary.reason.zh if primary else "",
        symbols={v.symbol: round(v.score, 2) for v in verdicts},
        action=action.label,
    )


class DecisionView:
    """The adapter's after-hook of the message handler (``handlers.messages.AfterHook``)."""

    def __init__(self, state: PlaygroundState, broadcast: Broadcast) -> None:
        self.state = state
        self.broadcast = broadcast

    async def __call__(self, message: Message, decision: Decision,
                       enforcement: Enforcement | None, runtime: ChatRuntime) -> None:
        if message.chat != CHAT:
            return
        shown = self.state.message(message.message_id)
        if shown is None or enforcement is None:
            return
        if shown.removed is not None:
            shown.removed = removal_of(decision, enforcement.action)
            await self.broadcast(frame("removed", message_id=shown.id,
                                       **shown.removed.to_json()))
        elif decision.verdicts or decision.observed:
            observe = enforcement.observe or decision.observe
            action = decision.shadow_action if observe else enforcement.action
            await self.broadcast(frame("flagged", message_id=shown.id, observe=observe,
                                       **removal_of(decision, action).to_json()))
        member = self.state.member(message.sender.id)
        if member is not None and enforcement.action >= Action.WARN and enforcement.warns:
            member.warns = enforcement.warns
            await self.broadcast(frame("warned", member=member.to_json(self.state.clock()),
                                       count=enforcement.warns, limit=runtime.ladder.limit))
