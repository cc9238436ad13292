"""The domains a chat learned to trust: who votes, how votes become trust, blocks, LRU bound.

A host in an unmoderated message of an established member (``established_messages`` messages
and ``established_days`` days in the chat, or staff) is a vote; ``voters`` distinct members make
it trusted in that chat. Unmoderated: the decision (or, in observe mode, the decision it
shadows) is below delete and nothing was held against the message but its links being unknown
(``link_symbols``: every plain link is flagged until its host is trusted, so "below flag" would
never learn one). A moderator's judgement that a message is spam (``Knowledge.distrust()``, for
``/spam``) blocks its hosts for ``block_for``: their trust and votes are dropped and they are
not learned meanwhile. The bot's own deletions only withhold the vote, they do not block: where
the content policies over-judge, blocking every host of every deleted message blocks the very
domains learning exists for (replaying a real course group blocked 27 hosts that way,
github.com, stackoverflow.com and docs.microsoft.com among them), and once ``ads_links`` spares
trusted hosts, deleting a message that carries one rests on other evidence than its host. Link
shorteners and messenger invite hosts are never learned. Each chat keeps at most
``domains_per_chat`` domains, the least recently used dropped first; the chat's trusted set is
one frozenset, replaced only when it changes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Set
from dataclasses import replace
from datetime import datetime, timedelta

from bot.events import Role
from bot.knowledge_store import DomainState
from bot.policy import MemberSnapshot
from bot.verdict import Action, Decision

#: Hosts whose trust would say nothing of where a link leads (shorteners, invites, redirects).
NEVER_LEARNED = frozenset({
    "t.me", "telegram.me", "telegram.dog", "telegra.ph", "wa.me", "chat.whatsapp.com",
    "discord.gg", "bit.ly", "tinyurl.com", "goo.gl", "t.cn", "is.gd", "cutt.ly", "ow.ly",
    "buff.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "v.gd", "qr.net", "u.nu",
    "dwz.cn", "url.cn", "suo.im", "linktr.ee", "lnk.to",
})

#: What a vote or a block changed, in order: (domain, its new state, or None once dropped).
Changes = list[tuple[str, DomainState | None]]


def clean_host(host: str) -> str:
    """``WWW.Example.com.`` → ``example.com``; "" for what is no learnable domain."""
    host = host.strip().lower().rstrip(".").removeprefix("www.")
    if "." not in host or host in NEVER_LEARNED or not host.rsplit(".", 1)[1].isalpha():
        return ""
    return host


def learnable(hosts: Iterable[str]) -> set[str]:
    """The learnable domains among a message's hosts."""
    return {h for h in map(clean_host, hosts) if h}


def unmoderated(decision: Decision, link_symbols: Set[str]) -> bool:
    """Nothing was held against the message but, perhaps, its links being unknown."""
    if max(decision.action, decision.shadow_action) >= Action.DELETE:
        return False
    return all(v.score <= 0 or v.symbol in link_symbols for v in decision.verdicts)


def established(member: MemberSnapshot, now: datetime, *, messages: int, days: int) -> bool:
    """Staff, or a member with ``messages`` messages and ``days`` days in the chat."""
    if member.role >= Role.MODERATOR:
        return True
    since = member.joined_at or member.first_seen
    return (member.message_count >= messages and since is not None
            and now - since >= timedelta(days=days))


class ChatDomains:
    """One chat's domains, least recently used first, and its trusted set: ``voters``
    distinct votes trust a domain; at most ``limit`` domains are kept."""

    __slots__ = ("items", "limit", "trusted", "voters")

    def __init__(self, states: Iterable[DomainState], *, voters: int, limit: int) -> None:
        self.voters = voters
        self.limit = limit
        self.items: OrderedDict[str, DomainState] = OrderedDict()
        for state in sorted(states, key=lambda s: s.last_used):
            self.items[state.domain] = state
        self.trusted: frozenset[str] = frozenset()
        self.retrust()

    def retrust(self) -> None:
        """Replace the trusted set after a change."""
        self.trusted = frozenset(d for d, s in self.items.items() if s.trusted_at is not None)

    def vote(self, hosts: Iterable[str], voter: str, now: datetime) -> Changes:
        """``voter`` used ``hosts`` (learnable ones) in an unmoderated message."""
        changes: Changes = []
        changed = False
        for host in hosts:
            state = self.items.get(host) or DomainState(host, now)
            if state.blocked_until is not None and state.blocked_until > now:
                continue
            if voter not in state.voters and state.trusted_at is None:
                voters = (*state.voters, voter)[-self.voters:]
                trusted = now if len(voters) >= self.voters else None
                state = replace(state, voters=voters, trusted_at=trusted, blocked_until=None)
                changed = changed or trusted is not None
            self._put(replace(state, last_used=now), changes)
        if self._bound(changes) or changed:
            self.retrust()
        return changes

    def block(self, hosts: Set[str], until: datetime, now: datetime) -> Changes:
        """``hosts`` were judged spam: their trust and votes are dropped until ``until``."""
        changes: Changes = []
        for host in hosts:
            self._put(DomainState(host, now, blocked_until=until), changes)
        self._bound(changes)
        if hosts & self.trusted or not self.trusted <= self.items.keys():
            self.retrust()
        return changes

    def _put(self, state: DomainState, changes: Changes) -> None:
        """Keep ``state`` as the most recently used."""
        self.items[state.domain] = state
        self.items.move_to_end(state.domain)
        changes.append((state.domain, state))

    def _bound(self, changes: Changes) -> bool:
        """Drop the least recently used past ``limit``; whether a trusted domain went."""
        lost = False
        while len(self.items) > self.limit:
            dropped, state = self.items.popitem(last=False)
            changes.append((dropped, None))
            lost = lost or state.trusted_at is not None
        return lost
