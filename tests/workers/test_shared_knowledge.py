"""Learned state crosses workers: a long text recorded on one counts as repetition on the
other, and a domain trusted (or blocked) on one is trusted (or blocked) on the other."""

from __future__ import annotations

from bot.coherence import Coherence, LocalBus
from bot.events import Kind, Message, Segment, Sender
from bot.knowledge import Knowledge, KnowledgeSettings
from tests.core.test_learned_state import (
    ALLOW,
    CHAT,
    NOTICE,
    NOW,
    VETERAN,
    FakeStore,
    message,
)


async def test_a_long_text_recorded_on_one_worker_is_repetition_on_the_other() -> None:
    hub: list[LocalBus] = []
    workers = []
    for _ in range(2):  # each with its own storage: nothing reaches the other through it
        learned, coherence = Knowledge(FakeStore()), Coherence(LocalBus(hub))
        learned.peers, coherence.on_post = coherence.announce_post, learned.adopt
        await coherence.start()
        workers.append((learned, coherence))
    (a, bus_a), (b, bus_b) = workers
    first = message(1, "u1", NOTICE, NOW)
    await b.look(first, NOW)  # worker B has loaded the chat's scope (empty)
    for n, user in ((1, "u1"), (2, "u2")):
        msg = message(n, user, NOTICE, NOW)
        await a.record(msg, VETERAN, ALLOW, await a.look(msg, NOW), NOW)
    await bus_a.stop()  # the announcements in flight are delivered
    seen = (await b.look(message(3, "u3", NOTICE, NOW), NOW)).repetition
    assert seen.by_others == 2
    await bus_b.stop()


def link(n: int, user: str) -> Message:
    return Message(CHAT, str(n), Sender(user), NOW, (
        Segment(Kind.LINK, "https://docs.example.org/guide", {"host": "docs.example.org"}),))


async def test_a_domain_trusted_on_one_worker_is_trusted_and_blocked_on_the_other() -> None:
    hub: list[LocalBus] = []
    workers = []
    for _ in range(2):
        learned = Knowledge(FakeStore(), settings=KnowledgeSettings(voters=2))
        coherence = Coherence(LocalBus(hub))
        learned.domain_peers, coherence.on_domain = (coherence.announce_domain,
                                                     learned.adopt_domain)
        await coherence.start()
        workers.append((learned, coherence))
    (a, bus_a), (b, bus_b) = workers
    await b.look(message(1, "u1", "hello", NOW), NOW)  # worker B has loaded the chat
    for n, user in ((1, "u1"), (2, "u2")):  # two established members share a link on A
        msg = link(n, user)
        await a.record(msg, VETERAN, ALLOW, await a.look(msg, NOW), NOW)
    await bus_a.stop()
    await bus_a.start()
    assert a.trusted(CHAT) == b.trusted(CHAT) == {"docs.example.org"}
    await b.distrust(link(3, "u3"), NOW)
    await bus_b.stop()
    assert a.trusted(CHAT) == b.trusted(CHAT) == frozenset()
    await bus_a.stop()
