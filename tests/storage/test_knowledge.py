"""Learned knowledge in storage: long texts' sketches and domains round-trip, within bounds."""

from __future__ import annotations

from datetime import timedelta

from bot.knowledge import DomainState, TextPost
from storage.db import Database
from storage.knowledge import KnowledgeRepo, SqlKnowledgeStore
from tests.storage.conftest import CHAT, NOW

OTHER = "tg:-1009"


def post(n: int, chat: str = CHAT, *, hours: int = 0) -> TextPost:
    return TextPost(chat, f"tg:{n % 3}", str(n), NOW + timedelta(hours=hours or n),
                    bytes([n % 256]) * 64)


async def test_posts_round_trip_oldest_first_for_the_chats_asked(db: Database) -> None:
    store = SqlKnowledgeStore(db)
    await store.add_posts([post(2), post(1), post(3, OTHER)], before=NOW - timedelta(1),
                          keep=100)
    got = await store.posts([CHAT], NOW, 10)
    assert [(p.message_id, p.sender, p.at, p.sketch) for p in got] == [
        ("1", "tg:1", NOW + timedelta(hours=1), bytes([1]) * 64),
        ("2", "tg:2", NOW + timedelta(hours=2), bytes([2]) * 64)]
    assert [p.chat for p in await store.posts([CHAT, OTHER], NOW, 10)] == [CHAT, CHAT, OTHER]
    assert [p.message_id for p in await store.posts([CHAT], NOW + timedelta(hours=2), 10)] \
        == ["2"]


async def test_posts_are_bounded_by_window_and_by_count_per_chat(db: Database) -> None:
    store = SqlKnowledgeStore(db)
    await store.add_posts([post(n) for n in range(1, 11)] + [post(1, OTHER)],
                          before=NOW, keep=4)
    assert [p.message_id for p in await store.posts([CHAT], NOW, 100)] == ["7", "8", "9", "10"]
    assert len(await store.posts([OTHER], NOW, 100)) == 1
    await store.add_posts([post(11)], before=NOW + timedelta(hours=9), keep=4)
    assert [p.message_id for p in await store.posts([CHAT, OTHER], NOW, 100)] == [
        "9", "10", "11"]
    assert len(await store.posts([CHAT], NOW, 2)) == 2  # the newest, when asked for fewer


async def test_domains_upsert_drop_and_come_back_most_recent_first(db: Database) -> None:
    store = SqlKnowledgeStore(db)
    learning = DomainState("docs.example.org", NOW, ("tg:1",))
    await store.put_domains([(CHAT, learning),
                             (CHAT, DomainState("old.example", NOW - timedelta(1))),
                             (OTHER, DomainState("docs.example.org", NOW))], [])
    trusted = DomainState("docs.example.org", NOW + timedelta(hours=1),
                          ("tg:1", "tg:2", "tg:3"), trusted_at=NOW + timedelta(hours=1))
    blocked = DomainState("spam.example", NOW, blocked_until=NOW + timedelta(30))
    await store.put_domains([(CHAT, trusted), (CHAT, blocked)], [(CHAT, "old.example")])
    assert await store.domains(CHAT, 10) == [trusted, blocked]
    assert await store.domains(CHAT, 1) == [trusted]
    assert [d.voters for d in await store.domains(OTHER, 10)] == [()]
    async with db.session() as s:  # the repository works inside a caller's transaction too
        await KnowledgeRepo(s).drop_domains([(OTHER, "docs.example.org")])
    assert await store.domains(OTHER, 10) == []
