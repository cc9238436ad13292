"""Proportion: a chat's top contributors are not muted or removed for rulebook-only offences.

A member in the top 10 % of a chat by contribution points who posts a voice note, filler, a red
packet or a business request is still warned (the rule holds for everyone), but the ladder's
climb to mute / kick / ban stops at warn and the moderation log says why. Ads, spam, abuse,
flooding and newcomer abuse are sanctioned as before, whoever posts them.

Who is "top 10 %": members with positive points in the chat, ranked by points; the first
``ceil(10 % of them)`` and anyone tied with the last of those. A chat with fewer than
``MIN_RANKED`` ranked members protects nobody (one or two point holders say nothing about
standing); from ``MIN_RANKED`` to 10 ranked members that is the top member (and ties).

The ranking is read through a port (``Ranking``: the chat's ranked members, best first) at
most once per chat per ``ttl``, and only when a rulebook-only sanction would climb above warn,
so it never costs a round trip per message. The cache holds at most ``size`` chats (LRU).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import Text, t
from bot.verdict import Action, Verdict, family_of

#: Families of the group's own rulebook (not harm to members): capped at warn for top members.
RULEBOOK_FAMILIES = frozenset({"VOICE", "OFFTOPIC", "REDPACKET", "BIZ"})
TOP_SHARE = 0.10
MIN_RANKED = 3

#: The chat's ranked members as ``(user id, points)``, best first.
Ranking = Callable[[str], Awaitable[Sequence[tuple[str, float]]]]

KEPT = t("kept: top contributor; escalation to {wanted} capped at warn",
         "保留：贡献排名前列的成员；本应升级为{wanted_zh}，已限制为警告")
_ZH = {Action.MUTE: "禁言", Action.KICK: "移出", Action.BAN: "封禁"}


def rulebook_only(verdicts: Iterable[Verdict]) -> bool:
    """Every verdict that sanctions (positive score or forced) is of a rulebook family."""
    sanctioning = [v for v in verdicts if v.score > 0 or v.force is not None]
    return bool(sanctioning) and all(family_of(v.symbol) in RULEBOOK_FAMILIES
                                     for v in sanctioning)


def top_members(ranked: Sequence[tuple[str, float]]) -> frozenset[str]:
    """The ids in the top ``TOP_SHARE`` of ``ranked`` (positive points only; ties included)."""
    scores = sorted(((user, points) for user, points in ranked if points > 0),
                    key=lambda item: -item[1])
    if len(scores) < MIN_RANKED:
        return frozenset()
    cut = scores[max(1, math.ceil(len(scores) * TOP_SHARE)) - 1][1]
    return frozenset(user for user, points in scores if points >= cut)


def capped(wanted: Action, protected: bool) -> Action:
    """What the ladder may do: ``wanted``, or warn when the member is ``protected``."""
    return Action.WARN if protected and wanted > Action.WARN else wanted


def kept_note(wanted: Action) -> Text:
    """The moderators' note for a capped escalation, both languages."""
    return KEPT.format(wanted=wanted.label, wanted_zh=_ZH.get(wanted, wanted.label))


def kept_reason(reason: str, wanted: Action) -> str:
    """A log entry's reason with the note appended in English and Chinese."""
    note = kept_note(wanted)
    return f"{reason} — {note.en} / {note.zh}" if reason else f"{note.en} / {note.zh}"


@dataclass
class _Entry:
    at: datetime
    top: frozenset[str]


class Standing:
    """Who stands at the top of each chat, from ``ranking``, cached per chat for ``ttl``."""

    def __init__(self, ranking: Ranking | None = None, *, ttl: timedelta = timedelta(minutes=10),
                 size: int = 1000) -> None:
        self.ranking = ranking
        self.ttl = ttl
        self.size = size
        self.reads = 0
        self._cache: OrderedDict[str, _Entry] = OrderedDict()

    async def top(self, chat: str, now: datetime) -> frozenset[str]:
        """The chat's top contributors, re-read when older than ``ttl``."""
        if self.ranking is None:
            return frozenset()
        hit = self._cache.get(chat)
        if hit is not None and abs(now - hit.at) < self.ttl:
            self._cache.move_to_end(chat)
            return hit.top
        self.reads += 1
        found = top_members(await self.ranking(chat))
        self._cache[chat] = _Entry(now, found)
        self._cache.move_to_end(chat)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return found

    async def protects(self, chat: str, user: str, verdicts: Iterable[Verdict],
                       now: datetime) -> bool:
        """Whether a sanction of these verdicts stops at warn for ``user``: rulebook-only
        offences by a top contributor. Reads the ranking only for rulebook-only verdicts."""
        return rulebook_only(verdicts) and user in await self.top(chat, now)

    def forget(self, chat: str | None = None) -> None:
        """Drop cached rankings (one chat, or all)."""
        if chat is None:
            self._cache.clear()
        else:
            self._cache.pop(chat, None)
