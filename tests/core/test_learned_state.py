"""Learned knowledge in memory: near-duplicate sketches, bounded views, batched writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.events import Kind, Message, Segment, Sender
from bot.knowledge import (
    DomainState,
    Knowledge,
    KnowledgeSettings,
    TextPost,
    clean_host,
    similar,
    sketch,
)
from bot.policy import MemberSnapshot, Repetition
from bot.verdict import Action, Decision

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
CHAT = "test:-1"
NOTICE = ("Reading group schedule: chapter four on closures this Thursday, chapter five on "
          "generators next week, bring your notes and one question each")
OTHER = ("My laptop fan gets very loud whenever the test suite runs, is there a way to limit "
         "the number of worker processes it starts at once?")


def bins(text: str) -> tuple[int, ...]:
    import struct

    return struct.unpack("<16I", sketch("".join(ch for ch in text.lower() if ch.isalnum())))


def test_near_duplicates_share_most_bins_and_different_texts_almost_none() -> None:
    edited = NOTICE.replace("Thursday", "Friday").replace("four", "six") + " thanks"
    assert similar(bins(NOTICE), bins(edited)) >= 10
    assert similar(bins(NOTICE), bins(OTHER)) <= 2
    assert bins(NOTICE) == bins(NOTICE)  # stable: stored sketches match after a restart


class FakeStore:
    """Counts round trips; holds what was written."""

    def __init__(self) -> None:
        self.reads = 0
        self.writes = 0
        self.stored: list[TextPost] = []
        self.domain_rows: dict[tuple[str, str], DomainState] = {}

    async def posts(self, chats: Sequence[str], since: datetime, limit: int
                    ) -> list[TextPost]:
        self.reads += 1
        return [p for p in self.stored if p.chat in chats and p.at >= since][-limit:]

    async def add_posts(self, posts: Sequence[TextPost], *, before: datetime,
                        keep: int) -> None:
        self.writes += 1
        self.stored.extend(posts)

    async def domains(self, chat: str, limit: int) -> list[DomainState]:
        self.reads += 1
        return [s for (c, _), s in self.domain_rows.items() if c == chat][:limit]

    async def put_domains(self, changed: Sequence[tuple[str, DomainState]],
                          dropped: Sequence[tuple[str, str]]) -> None:
        self.writes += 1
        for chat, state in changed:
            self.domain_rows[(chat, state.domain)] = state
        for key in dropped:
            self.domain_rows.pop(key, None)


def message(n: int, user: str, text: str, at: datetime) -> Message:
    return Message(CHAT, str(n), Sender(user), at, (Segment(Kind.TEXT, text),))


ALLOW = Decision(Action.ALLOW, 0.0)
VETERAN = MemberSnapshot("u", first_seen=NOW - timedelta(days=60), message_count=100)


async def test_a_chat_is_read_once_and_written_in_batches() -> None:
    store = FakeStore()
    learned = Knowledge(store, settings=KnowledgeSettings(batch=50))
    for n in range(40):
        msg = message(n, f"u{n % 4}", f"{n} " + (NOTICE if n % 2 else OTHER), NOW)
        look = await learned.look(msg, NOW)
        await learned.record(msg, VETERAN, ALLOW, look, NOW)
    assert (store.reads, store.writes) == (2, 0)  # posts and domains, once each
    await learned.flush()
    assert store.writes == 1 and len(store.stored) == 40


async def test_repetition_counts_days_members_and_leaves_out_the_message_itself() -> None:
    learned = Knowledge(FakeStore())
    for n, (day, user) in enumerate(((0, "a"), (1, "a"), (1, "b")), 1):
        at = NOW + timedelta(days=day)
        msg = message(n, user, NOTICE, at)
        await learned.record(msg, VETERAN, ALLOW, await learned.look(msg, at), at)
    at = NOW + timedelta(days=2)
    look = await learned.look(message(99, "a", NOTICE + " again", at), at)
    assert look.repetition == Repetition(by_sender=2, sender_days=2, by_others=1, chats=0)
    edit = await learned.look(message(1, "a", NOTICE, NOW), NOW)  # an edit of the first post
    assert edit.repetition == Repetition(by_sender=1, sender_days=1, by_others=1)
    late = NOW + timedelta(days=30)  # out of the window
    assert (await learned.look(message(98, "a", NOTICE, late), late)).repetition == Repetition()
    short = await learned.look(message(97, "a", "hello again", at), at)
    assert short.sketch is None and short.repetition == Repetition()


async def test_domains_per_chat_are_bounded_least_recently_used_first() -> None:
    store = FakeStore()
    learned = Knowledge(store, settings=KnowledgeSettings(domains_per_chat=3, voters=2))
    for n, host in enumerate(("a.org", "b.org", "a.org", "c.org", "d.org")):
        msg = Message(CHAT, str(n), Sender(f"u{n}"), NOW, (
            Segment(Kind.LINK, f"https://{host}/", {"host": host}),))
        await learned.record(msg, VETERAN, ALLOW, None, NOW + timedelta(minutes=n))
    assert learned.trusted(CHAT) == frozenset({"a.org"})
    await learned.flush()
    assert sorted(d for _, d in store.domain_rows) == ["a.org", "c.org", "d.org"]


def test_hosts_are_cleaned_and_shorteners_never_learned() -> None:
    assert clean_host("WWW.Docs.Example.org.") == "docs.example.org"
    assert clean_host("t.me") == clean_host("bit.ly") == clean_host("localhost") == ""
    assert clean_host("10.0.0.1") == ""


async def test_a_wave_of_one_text_is_counted_with_a_bounded_look_up() -> None:
    learned = Knowledge(FakeStore())
    for n in range(200):
        at = NOW + timedelta(minutes=n)
        msg = message(n, f"u{n}", f"{NOTICE} #{n}", at)
        await learned.record(msg, VETERAN, ALLOW, await learned.look(msg, at), at)
    seen = (await learned.look(message(999, "u0", NOTICE, NOW), NOW + timedelta(hours=4)))
    assert seen.repetition.by_sender == 1 and 40 <= seen.repetition.by_others <= 199
    other = await learned.look(message(998, "u0", OTHER, NOW), NOW + timedelta(hours=4))
    assert other.repetition == Repetition()
