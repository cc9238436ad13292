"""Learned per-chat knowledge: long texts seen before (repetition) and domains a chat trusts.

Both are learned from traffic, kept in storage (bounded), loaded lazily per chat into memory
and written in batches, so a message costs no database round trip once its chat is loaded.

**Repetition.** A long text (``min_chars`` characters or more once folded and stripped of
whitespace and punctuation) is sketched by one-permutation MinHash (``bot.fingerprint``) and
looked up among the recent long texts of its chat or network (``bot.repetition_memory``); a
candidate counts when at least ``match_bins`` of 16 bins agree. Every post is recorded, also
one moderation deleted: a deleted ad posted again tomorrow is still the same ad. Staff and
approved members' posts are not recorded (their repeats are announcements).

**Trusted domains.** A host in an unmoderated message of an established member
(``established_messages`` messages and ``established_days`` days in the chat, or staff) is a
vote; ``voters`` distinct members make it trusted in that chat. Unmoderated: the decision (or,
in observe mode, the decision it shadows) is below delete and nothing was held against the
message but its links being unknown (``link_symbols``: every plain link is flagged until its
host is trusted, so "below flag" would never learn one). A moderator's judgement that a message
is spam (``distrust()``, for ``/spam``) blocks its hosts for ``block_for``: their trust and
votes are dropped and they are not learned meanwhile. The bot's own deletions only withhold the
vote, they do not block: where the content policies over-judge, blocking every host of every
deleted message blocks the very domains learning exists for (replaying a real course group
blocked 27 hosts that way, github.com, stackoverflow.com and docs.microsoft.com among them),
and once ``ads_links`` spares trusted hosts, deleting a message that carries one rests on other
evidence than its host. Link shorteners and messenger invite hosts are never learned. Each
chat keeps at most ``domains_per_chat`` domains, the least recently used dropped first; the
chat's trusted set is one frozenset, replaced only when it changes.

``KnowledgeStore`` is the storage seam (``storage.knowledge.SqlKnowledgeStore``); a shared,
multi-worker implementation would replace ``Knowledge`` itself (one class).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.events import Kind, Message, Role
from bot.fingerprint import bands, similar, sketch, unpack
from bot.knowledge_store import DomainState, KnowledgeStore, KnowledgeWrites, TextPost
from bot.policy import MemberSnapshot, Repetition
from bot.repetition_memory import NO_REPETITION, RecentPost, RecentTexts
from bot.verdict import Action, Decision

__all__ = [  # ``sketch`` and ``similar`` live in bot.fingerprint; importable here as before
    "NEVER_LEARNED", "DomainState", "Knowledge", "KnowledgeSettings", "KnowledgeStore", "Look",
    "TextPost", "clean_host", "similar", "sketch",
]

log = logging.getLogger(__name__)

#: Hosts whose trust would say nothing of where a link leads (shorteners, invites, redirects).
NEVER_LEARNED = frozenset({
    "t.me", "telegram.me", "telegram.dog", "telegra.ph", "wa.me", "chat.whatsapp.com",
    "discord.gg", "bit.ly", "tinyurl.com", "goo.gl", "t.cn", "is.gd", "cutt.ly", "ow.ly",
    "buff.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "v.gd", "qr.net", "u.nu",
    "dwz.cn", "url.cn", "suo.im", "linktr.ee", "lnk.to",
})


# --- in-memory views -------------------------------------------------------------------------

class _Domains:
    """One chat's domains, least recently used first, and its trusted set."""

    __slots__ = ("items", "look", "trusted")

    def __init__(self, states: Iterable[DomainState]) -> None:
        self.items: OrderedDict[str, DomainState] = OrderedDict()
        for state in sorted(states, key=lambda s: s.last_used):
            self.items[state.domain] = state
        self.trusted: frozenset[str] = frozenset()
        self.look = Look()
        self.retrust()

    def retrust(self) -> None:
        """Replace the trusted set (and the look of a short text) after a change."""
        self.trusted = frozenset(d for d, s in self.items.items() if s.trusted_at is not None)
        self.look = Look(trusted=self.trusted)


@dataclass(frozen=True, slots=True)
class Look:
    """What the handler learned of a message before the pipeline: its sketch (None for a
    short text), its repetition and the chat's trusted domains."""

    sketch: bytes | None = None
    repetition: Repetition = NO_REPETITION
    trusted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class KnowledgeSettings:
    min_chars: int = 60
    window: timedelta = timedelta(days=14)
    posts_per_chat: int = 1000
    match_bins: int = 8
    scopes: int = 2000
    voters: int = 3
    established_messages: int = 20
    established_days: int = 7
    domains_per_chat: int = 500
    block_for: timedelta = timedelta(days=30)
    #: verdicts that judge a link only by its host being unknown: a message flagged for
    #: nothing else still votes for its hosts (else no plain link could ever be learned)
    link_symbols: frozenset[str] = frozenset({"AD_LINK", "AD_LINK_LIST"})
    batch: int = 500


def _identity_core(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _link_hosts(message: Message) -> list[str]:
    return [seg.data.get("host", "") for seg in message.of(Kind.LINK)]


def clean_host(host: str) -> str:
    """``WWW.Example.com.`` → ``example.com``; "" for what is no learnable domain."""
    host = host.strip().lower().rstrip(".").removeprefix("www.")
    if "." not in host or host in NEVER_LEARNED or not host.rsplit(".", 1)[1].isalpha():
        return ""
    return host


class Knowledge:
    """The learned state of every chat this process serves (see the module docstring)."""

    def __init__(
        self,
        store: KnowledgeStore,
        *,
        core: Callable[[str], str] = _identity_core,
        hosts: Callable[[Message], Iterable[str]] = _link_hosts,
        scope_of: Callable[[str], tuple[str, tuple[str, ...]]] = lambda chat: (chat, (chat,)),
        settings: KnowledgeSettings | None = None,
    ) -> None:
        self.store = store
        self.core = core
        self.hosts = hosts
        self.scope_of = scope_of
        self.settings = settings or KnowledgeSettings()
        self._scopes: OrderedDict[str, RecentTexts] = OrderedDict()
        self._domains: OrderedDict[str, _Domains] = OrderedDict()
        self._loading: dict[str, asyncio.Lock] = {}
        self._writes = KnowledgeWrites(store, window=self.settings.window,
                                       keep=self.settings.posts_per_chat)

    # -- loading ---------------------------------------------------------------------------

    async def _scope(self, chat: str, now: datetime) -> RecentTexts:
        key, chats = self.scope_of(chat)
        scope = self._scopes.get(key)
        if scope is not None:
            return scope
        async with self._loading.setdefault("p:" + key, asyncio.Lock()):
            scope = self._scopes.get(key)
            if scope is not None:
                return scope
            s = self.settings
            scope = RecentTexts(s.posts_per_chat * max(len(chats), 1))
            cutoff = now - s.window
            if self._writes.holds_posts_of(chats):  # evicted with writes pending
                await self.flush()
            try:
                stored = await self.store.posts(chats, cutoff, scope.limit)
            except Exception:
                log.exception("could not load the long texts of %s; starting empty", key)
                stored = []
            for post in sorted(stored, key=lambda p: p.at):
                scope.add(RecentPost.of(post), cutoff)
            self._scopes[key] = scope
            if len(self._scopes) > s.scopes:
                self._scopes.popitem(last=False)
        self._loading.pop("p:" + key, None)
        return scope

    async def _chat_domains(self, chat: str) -> _Domains:
        found = self._domains.get(chat)
        if found is not None:
            return found
        async with self._loading.setdefault("d:" + chat, asyncio.Lock()):
            found = self._domains.get(chat)
            if found is not None:
                return found
            if self._writes.holds_domains_of(chat):
                await self.flush()
            try:
                states = await self.store.domains(chat, self.settings.domains_per_chat)
            except Exception:
                log.exception("could not load the learned domains of %s; starting empty", chat)
                states = []
            found = self._domains[chat] = _Domains(states)
            if len(self._domains) > self.settings.scopes:
                self._domains.popitem(last=False)
        self._loading.pop("d:" + chat, None)
        return found

    # -- the hot path ----------------------------------------------------------------------

    async def look(self, message: Message, now: datetime) -> Look:
        """Before the pipeline: the message's repetition and the chat's trusted domains."""
        domains = self._domains.get(message.chat) or await self._chat_domains(message.chat)
        text = message.text
        if len(text) < self.settings.min_chars:
            return domains.look
        core = self.core(text)
        if len(core) < self.settings.min_chars:
            return domains.look
        sketched = sketch(core)
        bins = unpack(sketched)
        scope = await self._scope(message.chat, now)
        seen = scope.repetition(message.chat, message.sender.id, message.message_id, bins,
                                bands(bins), message.date.toordinal(),
                                now - self.settings.window, self.settings.match_bins)
        return Look(sketched, seen, domains.trusted)

    async def record(self, message: Message, member: MemberSnapshot, decision: Decision,
                     look: Look | None, now: datetime) -> None:
        """After the decision: keep the long text, and learn from (or block) its domains."""
        s = self.settings
        if look is not None and look.sketch is not None:
            post = TextPost(message.chat, message.sender.id, message.message_id, message.date,
                            look.sketch)
            scope = await self._scope(message.chat, now)
            scope.add(RecentPost.of(post), now - s.window)
            self._writes.add_post(post)
        if self._unmoderated(decision) and self._established(member, now):
            hosts = {h for h in map(clean_host, self.hosts(message)) if h}
            if hosts:
                await self._vote(message.chat, hosts, message.sender.id, now)
        if len(self._writes) >= s.batch:
            await self.flush()

    def _unmoderated(self, decision: Decision) -> bool:
        """Nothing was held against the message but, perhaps, its links being unknown."""
        if max(decision.action, decision.shadow_action) >= Action.DELETE:
            return False
        link = self.settings.link_symbols
        return all(v.score <= 0 or v.symbol in link for v in decision.verdicts)

    def _established(self, member: MemberSnapshot, now: datetime) -> bool:
        if member.role >= Role.MODERATOR:
            return True
        since = member.joined_at or member.first_seen
        s = self.settings
        return (member.message_count >= s.established_messages and since is not None
                and now - since >= timedelta(days=s.established_days))

    async def _vote(self, chat: str, hosts: Iterable[str], voter: str, now: datetime) -> None:
        view = await self._chat_domains(chat)
        items, changed = view.items, False
        for host in hosts:
            state = items.get(host) or DomainState(host, now)
            if state.blocked_until is not None and state.blocked_until > now:
                continue
            if voter not in state.voters and state.trusted_at is None:
                voters = (*state.voters, voter)[-self.settings.voters:]
                trusted = now if len(voters) >= self.settings.voters else None
                state = replace(state, voters=voters, trusted_at=trusted, blocked_until=None)
                changed = changed or trusted is not None
            state = replace(state, last_used=now)
            items[host] = state
            items.move_to_end(host)
            self._writes.set_domain(chat, host, state)
        while len(items) > self.settings.domains_per_chat:
            dropped, state = items.popitem(last=False)
            self._writes.set_domain(chat, dropped, None)
            changed = changed or state.trusted_at is not None
        if changed:
            view.retrust()

    async def distrust(self, message: Message, now: datetime) -> None:
        """A moderator (or a promotion verdict at delete or stronger) judged ``message``
        spam: its domains lose their trust and votes and are not learned for a while."""
        hosts = {h for h in map(clean_host, self.hosts(message)) if h}
        if not hosts:
            return
        view = await self._chat_domains(message.chat)
        until = now + self.settings.block_for
        for host in hosts:
            state = DomainState(host, now, blocked_until=until)
            view.items[host] = state
            view.items.move_to_end(host)
            self._writes.set_domain(message.chat, host, state)
        while len(view.items) > self.settings.domains_per_chat:
            dropped, _ = view.items.popitem(last=False)
            self._writes.set_domain(message.chat, dropped, None)
        if hosts & view.trusted or not view.trusted <= view.items.keys():
            view.retrust()

    def trusted(self, chat: str) -> frozenset[str]:
        """The chat's trusted domains as loaded (empty before its first message)."""
        view = self._domains.get(chat)
        return view.trusted if view is not None else frozenset()

    # -- writing ---------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write the recorded posts and changed domains (after any write in flight)."""
        await self._writes.flush()

    def forget(self, chat: str) -> None:
        """Drop a chat's in-memory state (its id changed, or it left); storage keeps it."""
        self._domains.pop(chat, None)
        self._scopes.pop(chat, None)
