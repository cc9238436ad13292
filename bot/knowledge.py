"""Learned per-chat knowledge: long texts seen before (repetition) and domains a chat trusts.

Both are learned from traffic, kept in storage (bounded), loaded lazily per chat into memory
and written in batches, so a message costs no database round trip once its chat is loaded.

**Repetition.** A long text (``min_chars`` characters or more once folded and stripped of
whitespace and punctuation) is sketched by one-permutation MinHash (``bot.fingerprint``) and
looked up among the recent long texts of its chat or network (``bot.repetition_memory``); a
candidate counts when at least ``match_bins`` of 16 bins agree. Every post is recorded, also
one moderation deleted: a deleted ad posted again tomorrow is still the same ad. Staff and
approved members' posts are not recorded (their repeats are announcements).

**Trusted domains.** A host in an unmoderated message of an established member is a vote;
enough distinct votes make it trusted in that chat, and a moderator's ``/spam`` blocks it for a
while (``bot.domain_memory``).

``KnowledgeStore`` is the storage seam (``storage.knowledge.SqlKnowledgeStore``). With several
workers, each recorded post is also handed to ``peers`` (the composition root broadcasts it)
and the other workers ``adopt`` it into their loaded scopes; each changed domain state goes to
``domain_peers`` and is adopted the same way (``adopt_domain``; the last change of a domain wins).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain_memory import (
    NEVER_LEARNED,
    ChatDomains,
    clean_host,
    established,
    learnable,
    unmoderated,
)
from bot.events import Kind, Message
from bot.fingerprint import bands, similar, sketch, unpack
from bot.knowledge_store import DomainState, KnowledgeStore, KnowledgeWrites, TextPost
from bot.policy import MemberSnapshot, Repetition
from bot.repetition_memory import NO_REPETITION, RecentPost, RecentTexts
from bot.verdict import Decision

__all__ = [  # names other modules import from here, wherever they are defined now
    "NEVER_LEARNED", "DomainState", "Knowledge", "KnowledgeSettings", "KnowledgeStore", "Look",
    "TextPost", "clean_host", "similar", "sketch",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Look:
    """What the handler learned of a message before the pipeline: its sketch (None for a
    short text), its repetition and the chat's trusted domains."""

    sketch: bytes | None = None
    repetition: Repetition = NO_REPETITION
    trusted: frozenset[str] = frozenset()


class _ChatDomains(ChatDomains):
    """A chat's domains with the look of its short texts, rebuilt with its trusted set."""

    __slots__ = ("look",)

    def retrust(self) -> None:
        super().retrust()
        self.look = Look(trusted=self.trusted)


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
        self._domains: OrderedDict[str, _ChatDomains] = OrderedDict()
        self._loading: dict[str, asyncio.Lock] = {}
        self._writes = KnowledgeWrites(store, window=self.settings.window,
                                       keep=self.settings.posts_per_chat)
        #: several workers: told of every post recorded here (``bot.coherence`` sends it on)
        self.peers: Callable[[TextPost], None] | None = None
        #: several workers: told of every domain state changed here (None: dropped)
        self.domain_peers: Callable[[str, str, DomainState | None], None] | None = None

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

    async def _chat_domains(self, chat: str) -> _ChatDomains:
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
            found = self._domains[chat] = _ChatDomains(
                states, voters=self.settings.voters, limit=self.settings.domains_per_chat)
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
            if self.peers is not None:
                self.peers(post)
        if unmoderated(decision, s.link_symbols) and established(
                member, now, messages=s.established_messages, days=s.established_days):
            hosts = learnable(self.hosts(message))
            if hosts:
                view = await self._chat_domains(message.chat)
                for host, state in view.vote(hosts, message.sender.id, now):
                    self._domain_changed(message.chat, host, state)
        if len(self._writes) >= s.batch:
            await self.flush()

    def adopt(self, post: TextPost) -> None:
        """Another worker's recorded post joins its scope, if loaded here (that worker stores
        it; a scope loaded later reads it from storage once written)."""
        scope = self._scopes.get(self.scope_of(post.chat)[0])
        if scope is not None:
            scope.add(RecentPost.of(post), post.at - self.settings.window)

    async def distrust(self, message: Message, now: datetime) -> None:
        """A moderator (or a promotion verdict at delete or stronger) judged ``message``
        spam: its domains lose their trust and votes and are not learned for a while."""
        hosts = learnable(self.hosts(message))
        if not hosts:
            return
        view = await self._chat_domains(message.chat)
        for host, state in view.block(hosts, now + self.settings.block_for, now):
            self._domain_changed(message.chat, host, state)

    def _domain_changed(self, chat: str, host: str, state: DomainState | None) -> None:
        self._writes.set_domain(chat, host, state)
        if self.domain_peers is not None:
            self.domain_peers(chat, host, state)

    def adopt_domain(self, chat: str, host: str, state: DomainState | None) -> None:
        """Another worker's change of a domain's state, if the chat is loaded here."""
        view = self._domains.get(chat)
        if view is None:
            return
        if state is None:
            view.items.pop(host, None)
        else:
            view.items[host] = state
            view.items.move_to_end(host)
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
