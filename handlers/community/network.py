"""Networks of groups (总群/分群): a ban in one group is applied, and logged, in all the others."""

from __future__ import annotations

from bot.enforcer import Enforcement
from bot.events import Message
from bot.ports import LogEntry
from bot.runtime import ChatRuntime
from bot.verdict import Action, Decision
from handlers.community.common import Hub
from handlers.messages import AfterHook


async def share_ban(hub: Hub, chat: str, user: str, reason: str) -> list[str]:
    """Ban ``user`` in every other chat of ``chat``'s network (if it shares bans)."""
    name = hub.services.book.network_of(chat)
    network = hub.services.book.config.app.networks.get(name) if name else None
    if network is None or not network.share_bans:
        return []
    done: list[str] = []
    now = hub.services.clock()
    for other in hub.network_chats(chat):
        gateway = hub.gateway(other)
        if other == chat or gateway is None or other in hub.inactive():
            continue
        outcome = await gateway.ban(other, user, None)
        async with hub.services.store.transaction() as tx:
            await tx.log(LogEntry(other, user, Action.BAN, now, actor=f"network:{name}",
                                  reason=f"network ban from {chat}: {reason}",
                                  outcome="ok" if outcome.ok else outcome.detail))
        done.append(other)
    return done


def ban_hook(hub: Hub) -> AfterHook:
    """Spread automatic bans across the network."""

    async def after(message: Message, decision: Decision, enforcement: Enforcement | None,
                    runtime: ChatRuntime) -> None:
        if enforcement is not None and enforcement.action >= Action.BAN \
                and not enforcement.observe:
            await share_ban(hub, message.chat, message.sender.id,
                            ", ".join(decision.symbols))

    return after
