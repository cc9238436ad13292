"""Red-packet policy: allowed inside configured festival windows and within quotas, else sanctioned.

Red packets arrive as each platform shows them: ``RED_PACKET`` segments (OneBot/WeChat notices
mapped by the adapter), Telegram messages sent via a configured red-packet bot, inline buttons
whose label reads like a red packet, and 口令红包 codes typed as text. Quotas are counted from the
chat's recent traces whose kinds include ``RED_PACKET``. A red packet that is let through gets a
zero-score ``REDPACKET_ALLOWED`` verdict, so the handler can mark its trace ``RED_PACKET`` even
when the platform gave it no such segment (Telegram bots, buttons, 口令 codes) and quotas see it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import ClassVar, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.events import Kind, Message
from bot.i18n import t
from bot.policy import Context, PolicyOptions, SymbolInfo, staff_involved
from bot.verdict import Verdict
from policies.normalize import normalize, scanned

OUTSIDE = "REDPACKET_OUTSIDE_FESTIVAL"
MEMBER_QUOTA = "REDPACKET_MEMBER_QUOTA"
GROUP_QUOTA = "REDPACKET_GROUP_QUOTA"
ALLOWED = "REDPACKET_ALLOWED"

_BUTTON_WORDS = ("红包", "利是", "lucky money", "red packet", "red envelope", "hongbao",
                 "hong bao")
_CODE = re.compile(r"口令\s*红包|红包\s*口令|[【\[]\s*红包\s*[】\]]")


class Festival(BaseModel):
    """A window, inclusive of both dates, in the chat's local time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"festival {self.name!r} ends ({self.end}) before it starts")
        return self


class RedPacketOptions(PolicyOptions):
    """Festival windows, quotas, and which Telegram bots deliver red packets."""

    festivals: tuple[Festival, ...] = ()
    member_daily: int = Field(default=3, ge=0)
    group_hourly: int = Field(default=20, ge=0)
    bots: frozenset[str] = frozenset()
    button_words: tuple[str, ...] = _BUTTON_WORDS
    exempt_staff: bool = True


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _bot_key(name: str) -> str:
    return name.strip().lstrip("@").casefold()


class RedPacketPolicy:
    """Sanction red packets outside festival windows or beyond the member/group quotas."""

    name: ClassVar[str] = "red_packet"
    Options: ClassVar[type[PolicyOptions]] = RedPacketOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        OUTSIDE: SymbolInfo(OUTSIDE, 6.0, t("Red packet outside the festival windows",
                                             "非节日时段发红包")),
        MEMBER_QUOTA: SymbolInfo(MEMBER_QUOTA, 6.0, t("More red packets today than allowed",
                                                      "今日发红包次数超出限额")),
        GROUP_QUOTA: SymbolInfo(GROUP_QUOTA, 6.0, t("Too many red packets in the group this hour",
                                                    "本群一小时内红包过多")),
        ALLOWED: SymbolInfo(ALLOWED, 0.0, t("Red packet within the festival window and quotas",
                                            "节日期间限额内的红包")),
    }

    def __init__(self, options: RedPacketOptions) -> None:
        self.options = options
        self._bots = frozenset(_bot_key(b) for b in options.bots)
        self._button_words = tuple(normalize(w).casefold() for w in options.button_words)

    def detect(self, message: Message) -> str:
        """What makes this message a red packet (the evidence), or ``""``."""
        for segment in message.of(Kind.RED_PACKET):
            return segment.text or "red packet"
        if message.via_bot and _bot_key(message.via_bot) in self._bots:
            return f"via {message.via_bot}"
        for segment in message.of(Kind.BUTTON):
            label = normalize(segment.text).casefold()
            if any(word in label for word in self._button_words):
                return segment.text
        text = scanned(message.text)
        if text:
            folded = normalize(text)
            if "红包" in folded and (match := _CODE.search(folded)):
                return match.group(0)
        return ""

    def _festival(self, local: date) -> bool:
        return any(f.start <= local <= f.end for f in self.options.festivals)

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        if self.options.exempt_staff and staff_involved(message, ctx):
            return []
        evidence = self.detect(message)
        if not evidence:
            return []
        zone = _zone(ctx.chat.timezone)
        local_now = ctx.now.astimezone(zone)
        if not self._festival(local_now.date()):
            reason = t("Red packets are only allowed during festivals",
                       "红包仅在节日期间允许发送")
            return [Verdict(OUTSIDE, self.symbols[OUTSIDE].score, reason, evidence)]
        day_start = datetime.combine(local_now.date(), datetime.min.time(), zone)
        hour_ago = ctx.now - timedelta(hours=1)
        mine = group = 0
        for r in ctx.recent:
            if Kind.RED_PACKET not in r.kinds or r.message_id == message.message_id:
                continue
            if r.date >= hour_ago:
                group += 1
            if r.sender_id == message.sender.id and r.date >= day_start:
                mine += 1
        if mine >= self.options.member_daily:
            reason = t("You have sent {n} red packets today; the daily limit is {n}",
                       "你今天已发送 {n} 个红包，每日上限为 {n} 个").format(
                n=self.options.member_daily)
            return [Verdict(MEMBER_QUOTA, self.symbols[MEMBER_QUOTA].score, reason, evidence)]
        if group >= self.options.group_hourly:
            reason = t("The group has had {n} red packets this hour; please wait",
                       "本群一小时内已有 {n} 个红包，请稍后再发").format(
                n=self.options.group_hourly)
            return [Verdict(GROUP_QUOTA, self.symbols[GROUP_QUOTA].score, reason, evidence)]
        reason = t("Red packet allowed: festival window, within quotas",
                   "节日期间限额内的红包，允许发送")
        return [Verdict(ALLOWED, self.symbols[ALLOWED].score, reason, evidence)]
