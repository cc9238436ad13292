"""Trust policy: negative scores for veterans and top contributors, so borderline content stays.

Trust only lowers the total score; forced actions (an unauthorised voice note, a flood mute)
are applied by ``decide()`` regardless of score, so trust never offsets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

from pydantic import Field

from bot.events import Message
from bot.i18n import t
from bot.policy import Context, PolicyOptions, SymbolInfo
from bot.verdict import Verdict

VETERAN = "TRUST_VETERAN"
CONTRIBUTOR = "TRUST_TOP_CONTRIBUTOR"


class TrustOptions(PolicyOptions):
    """What makes a veteran (both conditions) and a top contributor."""

    veteran_days: int = Field(default=180, ge=0)
    veteran_messages: int = Field(default=500, ge=0)
    contributor_points: float = Field(default=1000.0, gt=0.0)


class TrustPolicy:
    """Emit ``TRUST_`` verdicts with negative default scores for trusted members."""

    name: ClassVar[str] = "trust"
    Options: ClassVar[type[PolicyOptions]] = TrustOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        VETERAN: SymbolInfo(VETERAN, -2.0, t("Long-standing, active member",
                                             "入群已久的活跃成员")),
        CONTRIBUTOR: SymbolInfo(CONTRIBUTOR, -3.0, t("Top contributor", "高贡献成员")),
    }

    def __init__(self, options: TrustOptions) -> None:
        self.options = options
        self._tenure = timedelta(days=options.veteran_days)

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        member = ctx.member
        found: list[Verdict] = []
        since = member.joined_at or member.first_seen
        if (
            since is not None
            and ctx.now - since >= self._tenure
            and member.message_count >= self.options.veteran_messages
        ):
            days = (ctx.now - since).days
            reason = t("Member for {d} days with {n} messages",
                       "入群 {d} 天，发言 {n} 条").format(d=days, n=member.message_count)
            found.append(Verdict(VETERAN, self.symbols[VETERAN].score, reason,
                                 f"{days}d/{member.message_count}"))
        if member.points >= self.options.contributor_points:
            reason = t("Contribution points: {p:g}", "贡献积分：{p:g}").format(p=member.points)
            found.append(Verdict(CONTRIBUTOR, self.symbols[CONTRIBUTOR].score, reason,
                                 f"{member.points:g}"))
        return found
