"""What one worker invalidates (a member's snapshot, a chat, the configuration on /reload)
every other worker forgets too, over an in-memory bus and over Redis pub/sub."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from bot.coherence import Bus, Coherence, CoherentSnapshots, LocalBus
from bot.policy import MemberSnapshot
from bot.ports_fake import MemoryModerationStore
from storage.redis_bus import RedisBus

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CHAT, USER = "tg:-100", "tg:7"


def workers(buses: list[Bus]) -> tuple[MemoryModerationStore,
                                       list[tuple[Coherence, CoherentSnapshots]]]:
    store = MemoryModerationStore()  # the one database both workers read
    made = []
    for bus in buses:
        coherence = Coherence(bus)
        made.append((coherence, CoherentSnapshots(store, coherence=coherence,
                                                  clock=lambda: NOW)))
    return store, made


async def started_pair() -> tuple[MemoryModerationStore, tuple[Coherence, CoherentSnapshots],
                                  tuple[Coherence, CoherentSnapshots]]:
    """Two workers on one in-memory bus, listening."""
    hub: list[LocalBus] = []
    store, (first, second) = workers([LocalBus(hub), LocalBus(hub)])
    for coherence, _ in (first, second):
        await coherence.start()
    return store, first, second


async def grant_and_observe(buses: list[Bus]) -> None:
    store, ((a, cache_a), (b, cache_b)) = workers(buses)
    for coherence, _ in ((a, cache_a), (b, cache_b)):
        await coherence.start()
    try:
        assert not (await cache_b.get(CHAT, USER, NOW)).approved  # worker B caches it
        store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER, approved=True)
        cache_a.invalidate(CHAT, USER)  # a moderator grants a voice on worker A
        for _ in range(200):  # bounded: 10 s
            if b.received:
                break
            await asyncio.sleep(0.05)
        assert (await cache_b.get(CHAT, USER, NOW)).approved
        assert a.received == 0  # a worker ignores its own announcements
    finally:
        for coherence, _ in ((a, cache_a), (b, cache_b)):
            await coherence.stop()


async def test_a_granted_voice_on_one_worker_is_seen_by_the_other_in_memory() -> None:
    hub: list[LocalBus] = []
    await grant_and_observe([LocalBus(hub), LocalBus(hub)])


async def test_a_granted_voice_on_one_worker_is_seen_by_the_other_over_redis(
        redis_url: str) -> None:
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        await grant_and_observe([RedisBus(c, "test:coherence") for c in clients])
    finally:
        for c in clients:
            await c.aclose()


async def test_a_reload_on_one_worker_makes_the_other_reload() -> None:
    hub: list[LocalBus] = []
    reloaded: list[str] = []

    async def reload() -> None:
        reloaded.append("b")

    a, b = Coherence(LocalBus(hub)), Coherence(LocalBus(hub), on_reload=reload)
    await a.start()
    await b.start()
    a.announce("reload")
    await a.stop()  # waits for the announcement in flight
    assert reloaded == ["b"]


async def test_a_shadow_switch_announced_on_one_worker_reaches_the_others_hook() -> None:
    hub: list[LocalBus] = []
    switched: list[tuple[str, str]] = []
    a, b = Coherence(LocalBus(hub)), Coherence(LocalBus(hub))
    a.on_shadow = lambda chat, raw: switched.append(("a", chat))  # never its own
    b.on_shadow = lambda chat, raw: switched.append((chat, raw))
    await a.start()
    await b.start()
    a.announce("shadow", CHAT, v='{"observe": true}')
    await a.stop()  # waits for the announcement in flight
    assert switched == [(CHAT, '{"observe": true}')]


async def test_a_warn_on_one_worker_updates_the_others_cached_count_without_a_reread() -> None:
    store, (a, cache_a), (b, cache_b) = await started_pair()
    store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER)
    assert (await cache_b.get(CHAT, USER, NOW)).warns_active == 0  # worker B caches it
    store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER, approved=True)  # unseen change
    cache_a.warned(CHAT, USER, 1)  # worker A's enforcer counted a warn
    await a.stop()  # waits for the announcement in flight
    cached = await cache_b.get(CHAT, USER, NOW)
    assert (cached.warns_active, cached.approved) == (1, False)  # updated in place, not re-read
    await b.stop()


async def test_a_warn_hands_the_warning_workers_snapshot_to_a_worker_without_one() -> None:
    store, (a, cache_a), (b, cache_b) = await started_pair()
    store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER, message_count=3)
    await cache_a.get(CHAT, USER, NOW)  # worker A caches it; worker B never saw the member
    store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER, message_count=3, approved=True)
    cache_a.warned(CHAT, USER, 1)
    await a.stop()  # waits for the announcement in flight
    cached = await cache_b.get(CHAT, USER, NOW)
    assert (cached.warns_active, cached.message_count, cached.approved) == (1, 3, False)  # no read
    await b.stop()


async def test_a_warn_without_a_snapshot_makes_the_other_worker_read_the_member_again() -> None:
    store, (a, cache_a), (b, cache_b) = await started_pair()
    store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER, approved=True)
    cache_a.warned(CHAT, USER, 1)  # worker A holds no snapshot of the member to send
    await a.stop()
    assert (await cache_b.get(CHAT, USER, NOW)).approved  # read from storage
    await b.stop()


async def test_an_adopted_snapshot_expires_when_it_would_have_on_the_warning_worker() -> None:
    hub: list[LocalBus] = []
    store = MemoryModerationStore()
    times = {"a": NOW - timedelta(minutes=9), "b": NOW + timedelta(hours=3)}  # clocks apart
    a, b = Coherence(LocalBus(hub)), Coherence(LocalBus(hub))
    cache_a = CoherentSnapshots(store, coherence=a, clock=lambda: times["a"])
    cache_b = CoherentSnapshots(store, coherence=b, clock=lambda: times["b"])
    for coherence in (a, b):
        await coherence.start()
    await cache_a.get(CHAT, USER, NOW)  # read by A nine minutes before its warn
    store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER, approved=True)
    times["a"] = NOW
    cache_a.warned(CHAT, USER, 1)
    await a.stop()
    assert not (await cache_b.get(CHAT, USER, NOW)).approved  # A's copy, one minute left
    times["b"] += timedelta(seconds=61)
    assert (await cache_b.get(CHAT, USER, NOW)).approved  # expired with the TTL: read again
    await b.stop()


async def test_a_worker_whose_redis_channel_was_cut_rereads_what_it_may_have_missed(
        redis_url: str) -> None:
    client = Redis.from_url(redis_url, client_name="qunguan-test-cut")
    store, ((coherence, cache),) = workers([RedisBus(client, "test:coherence")])
    reread: list[str] = []

    async def reread_shadow() -> None:
        reread.append("shadow")

    coherence.on_resume.append(reread_shadow)
    await coherence.start()
    try:
        assert not (await cache.get(CHAT, USER, NOW)).approved  # cached
        store.members[(CHAT, USER)] = MemberSnapshot(user_id=USER, approved=True)
        for conn in await client.client_list(_type="pubsub"):  # its messages missed
            if conn["name"] == "qunguan-test-cut":
                await client.client_kill_filter(_id=conn["id"])
        for _ in range(200):  # bounded: 10 s (re-subscribed after a second)
            if reread:
                break
            await asyncio.sleep(0.05)
        assert reread == ["shadow"]
        assert (await cache.get(CHAT, USER, NOW)).approved  # the cache was dropped
    finally:
        await coherence.stop()
        await client.aclose()


async def test_workers_on_other_redis_databases_do_not_hear_each_others_announcements(
        redis_url: str) -> None:
    from storage.redis_state import connect  # pub/sub channels span a server's databases

    other = redis_url.rsplit("/", 1)[0] + ("/14" if not redis_url.endswith("/14") else "/13")
    states = [connect(redis_url), connect(redis_url), connect(other)]
    sender, peer, stranger = (Coherence(state.bus) for state in states)
    for coherence in (sender, peer, stranger):
        await coherence.start()
    try:
        sender.announce("member", CHAT, USER)
        for _ in range(200):  # bounded: 10 s
            if peer.received:
                break
            await asyncio.sleep(0.05)
        assert (peer.received, stranger.received) == (1, 0)
    finally:
        for coherence, state in zip((sender, peer, stranger), states, strict=True):
            await coherence.stop()
            await state.close()
