"""Repetition policy: the same long text posted again and again is promotion.

The handler fills ``ctx.repetition`` from the chat's learned state (``bot.knowledge``): earlier
near-duplicates of this message's long text within the window, by this member, by other
members, in other chats of the network. A syllabus or an ad posted by one member on 3
distinct days, or by 3 members, or in 3 chats of a network, deletes alone; a text posted
twice (a member re-asking an unanswered question) is only a weak signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from bot.events import Message
from bot.i18n import t
from bot.policy import Context, PolicyOptions, SymbolInfo, staff_involved
from bot.verdict import Verdict

BY_SENDER = "AD_REPEATED_BY_SENDER"
ACROSS_MEMBERS = "AD_REPEATED_ACROSS_MEMBERS"
ACROSS_CHATS = "AD_REPEATED_ACROSS_CHATS"
REPEATED = "AD_REPEATED_TEXT"


class RepetitionOptions(PolicyOptions):
    """How often the same long text must recur before it counts as promotion."""

    #: distinct days on which one member posted it (this message's day included)
    sender_days: int = Field(default=3, ge=2)
    #: distinct members who posted it (this one included)
    members: int = Field(default=3, ge=2)
    #: distinct chats of the network it was posted in (this one included)
    chats: int = Field(default=3, ge=2)
    exempt_staff: bool = True


class RepetitionPolicy:
    """Emit ``AD_REPEATED_*`` verdicts from ``ctx.repetition``."""

    name: ClassVar[str] = "repetition"
    Options: ClassVar[type[PolicyOptions]] = RepetitionOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        BY_SENDER: SymbolInfo(BY_SENDER, 5.0, t(
            "The same long text posted by one member day after day",
            "同一成员连日重复发同一段长文")),
        ACROSS_MEMBERS: SymbolInfo(ACROSS_MEMBERS, 5.0, t(
            "The same long text posted by several members", "多名成员发同一段长文")),
        ACROSS_CHATS: SymbolInfo(ACROSS_CHATS, 5.0, t(
            "The same long text posted across the network's chats",
            "同一段长文发到群网络的多个群")),
        REPEATED: SymbolInfo(REPEATED, 1.5, t(
            "A long text posted before", "之前发过的长文")),
    }

    def __init__(self, options: RepetitionOptions) -> None:
        self.options = options

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        seen = ctx.repetition
        if not (seen.by_sender or seen.by_others or seen.chats):
            return []
        if self.options.exempt_staff and staff_involved(message, ctx):
            return []
        o, found = self.options, []
        posts, days = seen.by_sender + 1, seen.sender_days + 1
        if seen.by_sender and days >= o.sender_days:
            found.append(Verdict(BY_SENDER, self.symbols[BY_SENDER].score, t(
                "the same long text posted {n} times over {d} days",
                "同一段长文 {d} 天内发了 {n} 次").format(n=posts, d=days),
                f"{posts}x/{days}d", escalates=False))
        members = seen.by_others + 1
        if members >= o.members:
            found.append(Verdict(ACROSS_MEMBERS, self.symbols[ACROSS_MEMBERS].score, t(
                "the same long text posted by {m} members",
                "{m} 名成员发过同一段长文").format(m=members),
                f"{members} members", escalates=False))
        chats = seen.chats + 1
        if chats >= o.chats:
            found.append(Verdict(ACROSS_CHATS, self.symbols[ACROSS_CHATS].score, t(
                "the same long text posted in {c} chats of the network",
                "同一段长文发到了群网络的 {c} 个群").format(c=chats),
                f"{chats} chats", escalates=False))
        if not found:
            earlier = seen.by_sender + seen.by_others
            found.append(Verdict(REPEATED, self.symbols[REPEATED].score, t(
                "a long text posted before ({n} earlier posts)",
                "这段长文之前发过（{n} 次）").format(n=max(earlier, seen.chats)),
                f"{earlier} earlier", escalates=False))
        return found  # hints: a repeat deletes, a community's re-shared notice warns no one
