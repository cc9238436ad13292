"""Flood policy: message rate, long consecutive runs, repeated text and cross-member raids.

Everything is counted from ``ctx.recent`` (earlier messages of the chat, newest last) plus the
current message. ``ctx.recent`` is oldest first: only its tail within the longest window is
scanned (found by bisection). An album counts once: its items share an ``album_id``. Join
traces (empty kinds) are not messages and never count.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from pydantic import Field

from bot.events import Message
from bot.i18n import Text, t
from bot.policy import Context, PolicyOptions, RecentMessage, SymbolInfo, staff_involved
from bot.verdict import Action, Verdict
from policies.normalize import normalize, scanned

RATE = "FLOOD_RATE"
RUN = "FLOOD_RUN"
REPEAT = "FLOOD_REPEAT"
RAID = "FLOOD_RAID"


class FloodOptions(PolicyOptions):
    """Limits; each check is disabled by setting its count to 0."""

    max_messages: int = Field(default=6, ge=0)
    per_seconds: int = Field(default=10, gt=0)
    max_run: int = Field(default=12, ge=0)
    run_gap_seconds: int = Field(default=60, gt=0)
    max_repeats: int = Field(default=3, ge=0)
    repeat_seconds: int = Field(default=300, gt=0)
    raid_members: int = Field(default=4, ge=0)
    raid_seconds: int = Field(default=120, gt=0)
    raid_min_chars: int = Field(default=6, ge=1)
    mute_seconds: int = Field(default=600, gt=0)
    exempt_staff: bool = True


def _is_message(r: RecentMessage) -> bool:
    return bool(r.kinds)


def _date(r: RecentMessage) -> datetime:
    return r.date


def _units(items: Sequence[RecentMessage], message: Message) -> int:
    """Messages counted with every album once, the current message included."""
    albums = {r.album_id for r in items if r.album_id}
    singles = sum(1 for r in items if not r.album_id)
    current = 0 if message.album_id and message.album_id in albums else 1
    return len(albums) + singles + current


class FloodPolicy:
    """Mute members who flood the chat; one verdict per message, the first check that fires."""

    name: ClassVar[str] = "flood"
    Options: ClassVar[type[PolicyOptions]] = FloodOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        RATE: SymbolInfo(RATE, 12.0, t("Too many messages in a short time",
                                       "短时间内发送过多消息")),
        RUN: SymbolInfo(RUN, 12.0, t("A long run of consecutive messages", "连续刷屏")),
        REPEAT: SymbolInfo(REPEAT, 12.0, t("The same text repeated", "重复发送相同内容")),
        RAID: SymbolInfo(RAID, 12.0, t("The same text posted by several members (raid)",
                                       "多名成员发送相同内容（刷群）")),
    }

    def __init__(self, options: FloodOptions) -> None:
        self.options = options
        self._rate = timedelta(seconds=options.per_seconds)
        self._gap = timedelta(seconds=options.run_gap_seconds)
        self._repeat = timedelta(seconds=options.repeat_seconds)
        self._raid = timedelta(seconds=options.raid_seconds)
        self._horizon = max(self._rate, self._repeat, self._raid)
        self._raid_alone = options.raid_members == 1

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        if not ctx.recent and (not self._raid_alone or not ctx.fingerprint):
            # Alone in the history, a message counts 1 everywhere: no limit of 1 or more is
            # exceeded, and only a raid of one member (``raid_members == 1``) could fire.
            return []
        opts = self.options
        if opts.exempt_staff and staff_involved(message, ctx):
            return []
        sender, mid, fp = message.sender.id, message.message_id, ctx.fingerprint
        start = bisect_left(ctx.recent, ctx.now - self._horizon, key=_date)
        recent = ctx.recent[start:]
        mine = [r for r in recent if r.sender_id == sender and r.kinds and r.message_id != mid]
        same = [r for r in recent if r.fingerprint == fp and r.kinds and r.message_id != mid] \
            if fp else []
        in_album = bool(message.album_id) and any(r.album_id == message.album_id for r in mine)

        if opts.max_messages:
            cut = ctx.now - self._rate  # once, not per trace
            window = [r for r in mine if r.date >= cut]
            count = _units(window, message)
            if count > opts.max_messages:
                return [self._verdict(RATE, t(
                    "{n} messages in {s} seconds: please slow down",
                    "{s} 秒内发送了 {n} 条消息：请放慢速度",
                ).format(n=count, s=opts.per_seconds), f"{count} in {opts.per_seconds}s")]
        if opts.max_run:
            run = self._run(ctx.recent, message, ctx)
            count = _units(run, message)
            if count > opts.max_run:
                return [self._verdict(RUN, t(
                    "{n} messages in a row: please write fewer, longer messages",
                    "连续发送了 {n} 条消息：请合并成较少的消息",
                ).format(n=count), f"{count} in a row")]
        if not fp or in_album:
            return []
        if opts.max_repeats:
            since = ctx.now - self._repeat
            times = 1 + sum(1 for r in same if r.sender_id == sender and r.date >= since)
            if times > opts.max_repeats:
                return [self._verdict(REPEAT, t(
                    "The same message {n} times", "相同内容重复发送了 {n} 次",
                ).format(n=times), message.text[:80])]
        if opts.raid_members and len(normalize(scanned(message.text))) >= opts.raid_min_chars:
            since = ctx.now - self._raid
            senders = {r.sender_id for r in same if r.date >= since}
            senders.add(sender)
            if len(senders) >= opts.raid_members:
                return [self._verdict(RAID, t(
                    "The same message from {n} members: this looks like a raid",
                    "{n} 名成员发送了相同内容：疑似刷群",
                ).format(n=len(senders)), message.text[:80])]
        return []

    def _run(self, recent: Sequence[RecentMessage], message: Message, ctx: Context
             ) -> list[RecentMessage]:
        """The sender's trailing messages with no one else between and no long pause."""
        run: list[RecentMessage] = []
        after = ctx.now
        for r in reversed(recent):
            if not _is_message(r) or r.message_id == message.message_id:
                continue
            if r.sender_id != message.sender.id or after - r.date > self._gap:
                break
            run.append(r)
            after = r.date
        return run

    def _verdict(self, symbol: str, reason: Text, evidence: str) -> Verdict:
        return Verdict(
            symbol,
            self.symbols[symbol].score,
            reason,
            evidence,
            force=Action.MUTE,
            mute_seconds=self.options.mute_seconds,
        )
