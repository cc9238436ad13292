"""A long text recorded on one worker is known to the others: the same text from a third
member on another worker counts the first two (cross-member repetition across workers)."""

from __future__ import annotations

from bot.coherence import Coherence, LocalBus
from bot.knowledge import Knowledge
from tests.core.test_learned_state import ALLOW, NOTICE, NOW, VETERAN, FakeStore, message


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
