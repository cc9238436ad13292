"""Newcomer policy: a new member's ad evidence weighs more; strict bans on links/media opt-in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

from pydantic import Field

from bot.events import Kind, Message, Role
from bot.i18n import Text, t
from bot.policy import Context, PolicyOptions, SymbolInfo, staff_involved
from bot.verdict import SUSPICION_FAMILIES, Verdict

UNPROVEN = "NEWCOMER_UNPROVEN"
FORWARD = "NEWCOMER_FORWARD"
LINK = "NEWCOMER_LINK"
CARD = "NEWCOMER_CARD"
MEDIA = "NEWCOMER_MEDIA"

_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|cn|io|me|cc|xyz|top)\b")
_DEFAULT_MEDIA = frozenset(
    {Kind.IMAGE, Kind.VIDEO, Kind.ANIMATION, Kind.FILE, Kind.AUDIO, Kind.VIDEO_NOTE}
)


class NewcomerOptions(PolicyOptions):
    """How long a member counts as new, how much more their ad evidence weighs, and what a
    strict chat forbids meanwhile (Shieldy-style; every ban is off unless a chat opts in)."""

    first_messages: int = Field(default=5, ge=0)
    first_hours: float = Field(default=24.0, ge=0.0)
    #: A new member's ad and spam evidence is multiplied by this (1.0: no difference).
    suspicion: float = Field(default=1.5, ge=1.0, le=5.0)
    links: bool = False
    media: bool = False
    media_kinds: frozenset[Kind] = _DEFAULT_MEDIA
    forwards: bool = False
    cards: bool = False


class NewcomerPolicy:
    """Weigh a new member's ad evidence more; in a strict chat, also delete their links,
    media, forwards and cards (one verdict per message).

    A member is new while they have sent fewer than ``first_messages`` messages, or less than
    ``first_hours`` have passed since they joined (or were first seen). Staff and members an
    admin approved are never new. Being new is never evidence by itself: a newcomer's
    question with a screenshot or a documentation link passes unless a chat opts into the
    strict bans. ``NEWCOMER_UNPROVEN`` scores nothing and multiplies ad/spam evidence only,
    lifting it at most to delete: a warn needs evidence that reaches it unaided.
    """

    name: ClassVar[str] = "newcomer"
    Options: ClassVar[type[PolicyOptions]] = NewcomerOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        UNPROVEN: SymbolInfo(UNPROVEN, 0.0, t("New member: ad evidence weighs more",
                                              "新成员：广告证据加重计分")),
        FORWARD: SymbolInfo(FORWARD, 5.0, t("Forward from a new member", "新成员转发消息")),
        LINK: SymbolInfo(LINK, 5.0, t("Link from a new member", "新成员发送链接")),
        CARD: SymbolInfo(CARD, 5.0, t("Card or contact from a new member", "新成员发送卡片或名片")),
        MEDIA: SymbolInfo(MEDIA, 5.0, t("Media from a new member", "新成员发送图片、视频或文件")),
    }

    def __init__(self, options: NewcomerOptions) -> None:
        self.options = options
        self._hours = timedelta(hours=options.first_hours)
        self._amplify = tuple((family, options.suspicion) for family in SUSPICION_FAMILIES)
        self._unproven = t("New member: ad evidence counts ×{f:g}",
                           "新成员：广告证据按 ×{f:g} 计分").format(f=options.suspicion)
        self._strict = options.links or options.media or options.forwards or options.cards

    def is_new(self, ctx: Context) -> bool:
        member = ctx.member
        if member.role >= Role.MODERATOR or member.approved:
            return False
        if member.message_count < self.options.first_messages:
            return True
        since = member.joined_at or member.first_seen
        return since is not None and ctx.now - since < self._hours

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        if staff_involved(message, ctx) or not self.is_new(ctx):
            return []
        found = self._strict_verdicts(message) if self._strict else []
        if self.options.suspicion > 1.0:
            count = ctx.member.message_count
            found.append(Verdict(UNPROVEN, 0.0, self._unproven, f"{count} messages",
                                 amplify=self._amplify))
        return found

    def _strict_verdicts(self, message: Message) -> list[Verdict]:
        opts = self.options
        kinds = message.kinds
        if opts.forwards and Kind.FORWARD in kinds:
            origin = message.of(Kind.FORWARD)[0]
            return [self._verdict(FORWARD, t("New members cannot forward messages yet",
                                             "新成员暂时不能转发消息"),
                                  origin.text or origin.data.get("origin", "forward"))]
        if opts.links:
            link = next((s.text for s in message.of(Kind.LINK)), "")
            if not link and (match := _URL.search(message.text)):
                link = match.group(0)
            if link:
                return [self._verdict(LINK, t("New members cannot post links yet",
                                              "新成员暂时不能发送链接"), link)]
        if opts.cards and kinds & {Kind.CARD, Kind.CONTACT}:
            card = next(s for s in message.segments if s.kind in {Kind.CARD, Kind.CONTACT})
            return [self._verdict(CARD, t("New members cannot post cards or contacts yet",
                                          "新成员暂时不能发送卡片或名片"), card.text or card.kind)]
        if opts.media and (found := kinds & opts.media_kinds):
            return [self._verdict(MEDIA, t("New members cannot post media yet",
                                           "新成员暂时不能发送图片、视频或文件"),
                                  ",".join(sorted(found)))]
        return []

    def _verdict(self, symbol: str, reason: Text, evidence: str) -> Verdict:
        return Verdict(symbol, self.symbols[symbol].score, reason, evidence)
