"""SnapshotCache: a chat's known members are read once, so a member seen for the first time
costs no snapshot read; a member storage knows is read as before; invalidation and the TTL
send the next look-up to storage."""

from __future__ import annotations

from datetime import timedelta

from bot.events import Sender
from bot.policy import MemberSnapshot
from bot.snapshots import SnapshotCache
from handlers.services import Services
from storage.moderation import SqlModerationStore
from storage.warns import WarnRepo
from tests.core.conftest import CHAT, NOW


class Counting(SqlModerationStore):
    def __init__(self, store: SqlModerationStore) -> None:
        super().__init__(store.db)
        self.snapshots: list[str] = []
        self.rosters: list[str] = []

    async def snapshot(self, chat: str, user_id: str, now: object) -> MemberSnapshot:
        self.snapshots.append(user_id)
        return await super().snapshot(chat, user_id, now)  # type: ignore[arg-type]

    async def known_members(self, chat: str, limit: int) -> set[str] | None:
        self.rosters.append(chat)
        return await super().known_members(chat, limit)


async def stored_member(services: Services, user: str, warns: int = 0) -> None:
    await services.store.touch_many([(CHAT, Sender(user, "old timer"), NOW - timedelta(days=90),
                                      40)])
    async with services.db.session() as session:
        for n in range(warns):
            await WarnRepo(session).add(CHAT, user, reason="ad", at=NOW - timedelta(hours=n),
                                        expires_at=NOW + timedelta(days=30))


async def test_new_members_cost_no_read_known_ones_are_read(services: Services) -> None:
    await stored_member(services, "test:1", warns=1)
    store = Counting(services.store)
    cache = SnapshotCache(store, clock=lambda: NOW)
    for n in range(20):
        fresh = await cache.get(CHAT, f"test:{100 + n}", NOW)
        assert fresh == MemberSnapshot(user_id=f"test:{100 + n}", first_seen=NOW)
    old = await cache.get(CHAT, "test:1", NOW)
    assert (old.message_count, old.warns_active) == (40, 1)
    assert store.rosters == [CHAT] and store.snapshots == ["test:1"]


async def test_invalidated_and_evicted_members_are_read_from_storage(services: Services) -> None:
    store = Counting(services.store)
    now = [NOW]
    cache = SnapshotCache(store, size=1, clock=lambda: now[0])
    await cache.get(CHAT, "test:5", NOW)
    await cache.get(CHAT, "test:6", NOW)  # evicts test:5, who is known from now on
    await cache.get(CHAT, "test:5", NOW)
    cache.invalidate(CHAT, "test:7")  # e.g. a moderator warned someone never seen
    await cache.get(CHAT, "test:7", NOW)
    assert store.snapshots == ["test:5", "test:7"]
    await stored_member(services, "test:8", warns=2)  # written by another worker: unseen
    assert (await cache.get(CHAT, "test:8", NOW)).warns_active == 0  # ... for the TTL
    now[0] = NOW + timedelta(minutes=11)
    assert (await cache.get(CHAT, "test:8", NOW)).warns_active == 2
    assert store.rosters == [CHAT, CHAT]
    cache.invalidate(CHAT)  # a whole chat (reload, migration): its members are read again
    await cache.get(CHAT, "test:10", now[0])
    assert store.rosters == [CHAT, CHAT, CHAT]


async def test_a_chat_beyond_the_limit_is_read_per_member(services: Services) -> None:
    for n in range(3):
        await stored_member(services, f"test:{n}")
    store = Counting(services.store)
    cache = SnapshotCache(store, clock=lambda: NOW, known_limit=2)
    await cache.get(CHAT, "test:50", NOW)
    await cache.get(CHAT, "test:51", NOW)
    assert store.snapshots == ["test:50", "test:51"] and store.rosters == [CHAT]
