"""Trust policy: negative scores for veterans and top contributors, so borderline content stays.

Trust only lowers the total score: negative scores for veterans and top contributors, and for
an established member (weeks in the chat, dozens of messages, no active warn) a factor below
one on ad and spam evidence, so their link to a side group or a lone contact flags instead of
deleting while overwhelming evidence still does. Forced actions (an unauthorised voice note,
a flood mute) are applied by ``decide()`` regardless of score, so trust never offsets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

from pydantic import Field

from bot.events import Message
from bot.i18n import t
from bot.policy import Context, PolicyOptions, SymbolInfo
from bot.verdict import SUSPICION_FAMILIES, Verdict

VETERAN = "TRUST_VETERAN"
CONTRIBUTOR = "TRUST_TOP_CONTRIBUTOR"
ESTABLISHED = "TRUST_ESTABLISHED"
_VETERAN_REASON = t("Member for {d} days with {n} messages", "入群 {d} 天，发言 {n} 条")


class TrustOptions(PolicyOptions):
    """What makes a veteran (both conditions) and a top contributor."""

    veteran_days: int = Field(default=180, ge=0)
    veteran_messages: int = Field(default=500, ge=0)
    contributor_points: float = Field(default=1000.0, gt=0.0)
    established_days: int = Field(default=14, ge=0)
    established_messages: int = Field(default=50, ge=0)
    #: An established member's ad and spam evidence is multiplied by this (1.0: no slack).
    established_factor: float = Field(default=0.6, gt=0.0, le=1.0)


class TrustPolicy:
    """Emit ``TRUST_`` verdicts with negative default scores for trusted members."""

    name: ClassVar[str] = "trust"
    Options: ClassVar[type[PolicyOptions]] = TrustOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        VETERAN: SymbolInfo(VETERAN, -2.0, t("Long-standing, active member",
                                             "入群已久的活跃成员")),
        CONTRIBUTOR: SymbolInfo(CONTRIBUTOR, -3.0, t("Top contributor", "高贡献成员")),
        ESTABLISHED: SymbolInfo(ESTABLISHED, 0.0, t("Established member: ad evidence weighs less",
                                                     "老成员：广告证据减轻计分")),
    }

    def __init__(self, options: TrustOptions) -> None:
        self.options = options
        self._tenure = timedelta(days=options.veteran_days)
        self._settled = timedelta(days=options.established_days)
        self._amplify = tuple((f, options.established_factor) for f in SUSPICION_FAMILIES)
        #: One text per policy: the days and messages are the evidence, not the reason.
        self._established = t("Established member: ad evidence counts ×{f:g}",
                              "老成员：广告证据按 ×{f:g} 计分").format(
            f=options.established_factor)

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        member = ctx.member
        found: list[Verdict] = []
        since = member.joined_at or member.first_seen
        if since is not None:
            age, count, opts = ctx.now - since, member.message_count, self.options
            veteran = age >= self._tenure and count >= opts.veteran_messages
            settled = (opts.established_factor < 1.0 and age >= self._settled
                       and count >= opts.established_messages and member.warns_active == 0)
            if veteran or settled:
                days = age.days
                evidence = f"{days}d/{count}"
                if veteran:
                    reason = _VETERAN_REASON.format(d=days, n=count)
                    found.append(Verdict(VETERAN, self.symbols[VETERAN].score, reason, evidence))
                if settled:
                    found.append(Verdict(ESTABLISHED, 0.0, self._established, evidence,
                                         amplify=self._amplify))
        if member.points >= self.options.contributor_points:
            reason = t("Contribution points: {p:g}", "贡献积分：{p:g}").format(p=member.points)
            found.append(Verdict(CONTRIBUTOR, self.symbols[CONTRIBUTOR].score, reason,
                                 f"{member.points:g}"))
        return found
