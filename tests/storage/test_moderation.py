"""SqlModerationStore: warns counted at ``now``, the log with its content, member snapshots."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.events import Role, Sender
from bot.policy import MemberSnapshot
from bot.ports import LogEntry
from bot.verdict import Action
from storage.contributions import ContributionRepo
from storage.db import Database
from storage.logs import LogRepo
from storage.members import MemberRepo
from storage.moderation import SqlModerationStore
from storage.warns import WarnRepo
from tests.storage.conftest import CHAT, NOW


async def test_unknown_member_gets_a_default_snapshot(db: Database) -> None:
    assert await SqlModerationStore(db).snapshot(CHAT, "tg:404", NOW) == MemberSnapshot("tg:404")


async def test_warns_count_at_now_until_they_expire(db: Database) -> None:
    store = SqlModerationStore(db)
    async with store.transaction() as tx:
        await tx.add_warn(CHAT, "tg:7", reason="old", at=NOW - timedelta(days=40),
                          expires_at=NOW - timedelta(days=10))
        first, one = await tx.add_warn(CHAT, "tg:7", reason="a", at=NOW,
                                       expires_at=NOW + timedelta(days=30))
        second, two = await tx.add_warn(CHAT, "tg:7", reason="b", at=NOW,
                                        expires_at=NOW + timedelta(days=5))
    assert (one, two) == (1, 2) and second > first
    counts = [(await store.snapshot(CHAT, "tg:7", NOW + timedelta(days=d))).warns_active
              for d in (0, 5, 29, 30)]
    assert counts == [2, 1, 1, 0]  # a warn stops counting at the instant it expires


async def test_the_count_a_new_warn_returns_is_the_active_count_after_it(db: Database) -> None:
    store = SqlModerationStore(db)
    later = NOW + timedelta(days=30)
    async with store.transaction() as tx:
        await tx.add_warn("tg:-1002", "tg:7", reason="other chat", at=NOW, expires_at=later)
        await tx.add_warn(CHAT, "tg:8", reason="other member", at=NOW, expires_at=later)
        first, _ = await tx.add_warn(CHAT, "tg:7", reason="revoked", at=NOW, expires_at=later)
    async with db.session() as session:
        assert await WarnRepo(session).revoke(first)
    counts = []
    async with store.transaction() as tx:
        for expires in (later, NOW, later):  # the second expires the instant it is given
            counts.append((await tx.add_warn(CHAT, "tg:7", reason="r", at=NOW,
                                             expires_at=expires))[1])
    async with db.session() as session:
        active = await WarnRepo(session).active_count(CHAT, "tg:7", NOW)
    assert counts == [1, 1, 2] and active == 2


async def test_revoked_warns_no_longer_count(db: Database) -> None:
    store = SqlModerationStore(db)
    async with store.transaction() as tx:
        for _ in range(3):
            await tx.add_warn(CHAT, "tg:7", reason="r", at=NOW,
                              expires_at=NOW + timedelta(days=30))
    async with db.session() as session:
        warns = WarnRepo(session)
        latest = await warns.revoke_latest(CHAT, "tg:7", NOW)
        assert latest is not None and not await warns.revoke(latest)  # already revoked
    assert (await store.snapshot(CHAT, "tg:7", NOW)).warns_active == 2
    async with db.session() as session:
        assert await WarnRepo(session).reset(CHAT, "tg:7") == 2
    assert (await store.snapshot(CHAT, "tg:7", NOW)).warns_active == 0


async def test_warns_of_another_chat_or_member_do_not_count(db: Database) -> None:
    store = SqlModerationStore(db)
    async with store.transaction() as tx:
        await tx.add_warn("tg:-1002", "tg:7", reason="", at=NOW, expires_at=NOW + timedelta(1))
        await tx.add_warn(CHAT, "tg:8", reason="", at=NOW, expires_at=NOW + timedelta(1))
    assert (await store.snapshot(CHAT, "tg:7", NOW)).warns_active == 0


async def test_log_roundtrip_keeps_content_symbols_and_aware_times(db: Database) -> None:
    content = {"segments": [{"kind": "text", "text": "加我薇信 ab12"}], "sender": {"id": "tg:7"},
               "nested": {"list": [1, 2.5, None, True]}}
    entry = LogEntry(CHAT, "tg:7", Action.MUTE, NOW, actor="tg:1", message_id="99", score=9.5,
                     symbols={"AD_CONTACT_WECHAT": 6.0, "FLOOD_RATE": 3.5}, reason="ad",
                     content=content, observe=False, shadow_action=None,
                     degraded_from=Action.BAN, warn_id=None, until=NOW + timedelta(hours=1))
    store = SqlModerationStore(db)
    async with store.transaction() as tx:
        log_id = await tx.log(entry)
    await store.set_outcome(log_id, "mute: ok")
    async with db.session() as session:
        got = await LogRepo(session).get(log_id)
    assert got is not None
    assert got == LogEntry(**{**_fields(entry), "id": log_id, "outcome": "mute: ok"})
    assert got.created_at.utcoffset() == timedelta(0) and got.until is not None
    assert got.until.utcoffset() == timedelta(0)


async def test_a_failed_transaction_keeps_neither_warn_nor_log(db: Database) -> None:
    store = SqlModerationStore(db)
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.add_warn(CHAT, "tg:7", reason="r", at=NOW, expires_at=NOW + timedelta(1))
            await tx.log(LogEntry(CHAT, "tg:7", Action.WARN, NOW))
            raise RuntimeError("platform call failed inside the transaction")
    assert (await store.snapshot(CHAT, "tg:7", NOW)).warns_active == 0
    async with db.session() as session:
        assert await LogRepo(session).recent(CHAT) == []


async def test_snapshot_reads_member_fields_and_sums_points(db: Database) -> None:
    joined = NOW - timedelta(days=3)
    store = SqlModerationStore(db)
    async with db.session() as session:
        members = MemberRepo(session)
        await members.joined(CHAT, Sender("tg:7", "Ann"), joined)
        await members.set_flags(CHAT, "tg:7", approved=True, voice_allowed=True)
        contributions = ContributionRepo(session)
        await contributions.add(CHAT, "tg:7", "message", 1.5, NOW)
        await contributions.add(CHAT, "tg:7", "answer", 5.0, NOW)
        await contributions.add("tg:-1002", "tg:7", "answer", 100.0, NOW)
    await store.touch(CHAT, Sender("tg:7", "Ann", role=Role.MODERATOR), NOW, 4)
    snap = await store.snapshot(CHAT, "tg:7", NOW)
    assert snap == MemberSnapshot("tg:7", role=Role.MODERATOR, joined_at=joined,
                                  first_seen=joined, message_count=4, warns_active=0,
                                  points=6.5, approved=True, voice_allowed=True)


async def test_touch_counts_messages_and_keeps_a_known_role(db: Database) -> None:
    store = SqlModerationStore(db)
    await store.touch(CHAT, Sender("tg:7", "Ann", "Ann_X", Role.ADMIN), NOW, 3)
    await store.touch(CHAT, Sender("tg:7", "Ann"), NOW + timedelta(hours=1), 2)
    await store.touch_many([(CHAT, Sender("tg:7", "Ann"), NOW - timedelta(hours=1), 1),
                            (CHAT, Sender("tg:8", "Bo"), NOW, 1)])
    snap = await store.snapshot(CHAT, "tg:7", NOW)
    assert snap.message_count == 6 and snap.role is Role.ADMIN
    async with db.session() as session:
        ann = await MemberRepo(session).by_username(CHAT, "@ann_x")
    assert ann is not None and ann.last_seen == NOW + timedelta(hours=1)


async def test_touch_many_writes_what_touching_one_by_one_writes(db: Database) -> None:
    known = (Sender("tg:7", "Old", "old", Role.MODERATOR), NOW - timedelta(days=1), 5)
    batch = [(Sender("tg:7", "Ann", "Ann_X", Role.ADMIN), NOW, 3),
             (Sender("tg:8", "Bo"), NOW - timedelta(hours=2), 1),
             (Sender("tg:7", "", ""), NOW - timedelta(hours=1), 2),
             (Sender("tg:8", "Bob", "Bob"), NOW - timedelta(hours=3), 4)]
    store = SqlModerationStore(db)
    single, batched = "tg:-2001", "tg:-2002"
    await store.touch(single, *known)
    for sender, when, n in batch:
        await store.touch(single, sender, when, n)
    await store.touch_many([(batched, *known)])
    await store.touch_many([(batched, sender, when, n) for sender, when, n in batch])
    async with db.session() as session:
        members = MemberRepo(session)
        for user in ("tg:7", "tg:8"):
            one, many = await members.get(single, user), await members.get(batched, user)
            assert one is not None and many is not None
            assert replace(many, chat=single) == one


async def test_outcomes_written_in_a_batch_land_on_their_entries(db: Database) -> None:
    store = SqlModerationStore(db)
    async with store.transaction() as tx:
        ids = [await tx.log(LogEntry(CHAT, "tg:7", Action.DELETE, NOW)) for _ in range(3)]
    await store.set_outcomes([(ids[0], "delete: ok"), (ids[2], "delete: gone")])
    async with db.session() as session:
        logs = LogRepo(session)
        assert [(await logs.get(i) or LogEntry(CHAT, "", Action.ALLOW, NOW)).outcome
                for i in ids] == ["delete: ok", "pending", "delete: gone"]


def _fields(entry: LogEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in LogEntry.__slots__}


async def test_a_snapshot_is_read_while_another_transaction_is_writing(db: Database) -> None:
    """The hot-path read never waits for a writer (on SQLite it must not take the write lock
    that every session's transaction begins with)."""
    store = SqlModerationStore(db)
    async with db.session() as s:
        await WarnRepo(s).add(CHAT, "tg:7", reason="r", at=NOW, expires_at=NOW + timedelta(1))
    async with db.session() as writing:
        await WarnRepo(writing).add(CHAT, "tg:7", reason="r2", at=NOW,
                                    expires_at=NOW + timedelta(1))
        reading = asyncio.create_task(store.snapshot(CHAT, "tg:7", NOW))
        done, _ = await asyncio.wait({reading}, timeout=3)  # a hang, not a speed limit
        assert reading in done
        assert reading.result().warns_active == 1  # the uncommitted warn is not seen
