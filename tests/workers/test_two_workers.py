"""Two real `qunguan run` workers in webhook mode on one PostgreSQL database and one Redis,
behind a balancer handing each update to either: they decide exactly as one worker would."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.verdict import Action
from storage.db import Database
from storage.logs import LogRepo
from storage.warns import WarnRepo
from tests.workers.platform import CHAT, Balancer
from tests.workers.processes import MODERATOR, eventually, moderation_workers

Workers = tuple[Balancer, Database]


@pytest.fixture
async def workers(pg_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Workers]:
    platform = Balancer()
    async with platform, moderation_workers(platform, tmp_path, pg_url, redis_url) as procs:
        db = Database(pg_url)
        try:
            yield platform, db
            await procs.stop()
        finally:
            await db.dispose()


async def actions(db: Database, uid: int) -> list[Action]:
    """What the moderation log holds for a member, oldest first."""
    async with db.session() as session:
        entries = await LogRepo(session).recent(CHAT, 10_000, user_id=f"tg:{uid}")
    return [e.action for e in sorted(entries, key=lambda e: e.id or 0) if e.actor == "auto"]


async def warns(db: Database, uid: int) -> int:
    async with db.session() as session:
        return await WarnRepo(session).active_count(CHAT, f"tg:{uid}", _now())


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def test_an_update_delivered_to_both_workers_or_redelivered_later_acts_once(
        workers: Workers) -> None:
    platform, db = workers
    ads = [platform.message(100 + n, f"加薇信 abc{n}q{n * 7} 领取福利") for n in range(20)]
    await asyncio.gather(*(platform.to_both(ad) for ad in ads))
    await eventually(lambda: _all_deleted(platform, ads), "every ad deleted", 120)
    for ad in ads:  # the same updates again, and the same messages under new update ids
        platform.deliver(ad)
        platform.deliver({**ad, "update_id": ad["update_id"] + 50_000})
    await platform.barrier()
    deleted = platform.deleted()
    assert [deleted[ad["message"]["message_id"]] for ad in ads] == [1] * 20
    assert not platform.muted()
    for n in range(20):
        assert await actions(db, 100 + n) == [Action.WARN]
        assert await warns(db, 100 + n) == 1


async def _all_deleted(platform: Balancer, updates: list[dict[str, Any]]) -> bool:
    deleted = platform.deleted()
    return all(deleted[u["message"]["message_id"]] for u in updates)


async def test_a_flood_spread_over_two_workers_is_muted_as_by_one(workers: Workers) -> None:
    platform, _ = workers
    for n in range(9):  # one worker mutes the 7th, 8th and 9th (more than 6 in the window)
        platform.deliver(platform.message(300, f"message number {n} about the weather"))
    await platform.barrier()
    assert platform.muted()[300] == 3
    assert len(platform.deleted()) == 3 + 2  # the flood's last three and the barrier ads


async def test_an_eight_member_raid_over_two_workers_is_decided_as_by_one(
        workers: Workers) -> None:
    platform, db = workers
    for uid in range(200, 208):  # one worker: the 4th to 8th member posting it are muted
        platform.deliver(platform.message(uid, "大家快来看这个直播今晚有惊喜哦"))
    await platform.barrier()
    muted = platform.muted()
    assert sum(muted.values()) == 5 and set(muted) <= set(range(200, 208))
    assert all(count == 1 for count in muted.values())
    decided = [await actions(db, uid) for uid in range(200, 208)]
    assert sorted(len(a) for a in decided) == [0, 0, 0, 1, 1, 1, 1, 1]


async def test_two_ads_of_one_member_on_two_workers_at_once_warn_then_mute(
        workers: Workers) -> None:
    platform, db = workers
    members = range(400, 404)  # 8 ads and the barrier's 2: at most the raid's limit
    for uid in members:
        first = platform.message(uid, f"加薇信 first{uid}z 领取福利")
        second = platform.message(uid, f"便宜出售会员账号，加v信: sale_{uid}")
        await asyncio.gather(platform.to(0, first), platform.to(1, second))
    await platform.barrier()
    for uid in members:
        assert sorted(await actions(db, uid)) == [Action.WARN, Action.MUTE]
        assert await warns(db, uid) == 2
    assert platform.muted() == Counter({uid: 1 for uid in members})


async def test_a_moderators_unwarn_on_one_worker_is_respected_by_the_other(
        workers: Workers) -> None:
    platform, db = workers
    ad = platform.message(500, "加薇信 unwarn1x 领取福利")
    await platform.to(0, ad)
    await eventually(lambda: _is(warns(db, 500), 1), "the member warned")
    unwarn = platform.message(MODERATOR, "/unwarn", reply_to_message=ad["message"])
    await platform.to(0, unwarn)  # worker A
    await eventually(lambda: _is(warns(db, 500), 0), "the warn revoked")
    await platform.to(1, platform.message(500, "加薇信 unwarn2x 领取福利"))  # worker B
    await platform.barrier()
    assert await actions(db, 500) == [Action.WARN, Action.WARN]  # not warn then mute
    assert await warns(db, 500) == 1
    assert not platform.muted()


async def _is(value: Any, expected: int) -> bool:
    return bool(await value == expected)


def _replies(platform: Balancer) -> list[str]:
    return [str(p.get("text", "")) for p in platform.of("sendMessage")]


async def _policies_say(platform: Balancer, worker: int, mode: str) -> bool:
    """Ask ``worker`` for /policies; True once its answer names ``mode`` (a probe in order
    with the chat's later updates on that worker)."""
    before = len(_replies(platform))
    await platform.to(worker, platform.message(MODERATOR, "/policies"))
    await eventually(lambda: _more(platform, before), "the /policies answer")
    return any(mode in text for text in _replies(platform)[before:])


async def _more(platform: Balancer, before: int) -> bool:
    return len(_replies(platform)) > before


async def test_a_moderators_shadow_switch_on_one_worker_applies_on_the_other(
        workers: Workers) -> None:
    platform, db = workers
    await platform.to(0, platform.message(MODERATOR, "/shadow on"))  # worker A
    await eventually(lambda: _more(platform, 0), "the /shadow answer")
    await eventually(lambda: _policies_say(platform, 1, "shadow mode"), "B in shadow mode", 10)
    shadowed = platform.message(600, "加薇信 shadow1x 领取福利")
    await platform.to(1, shadowed)  # worker B decides and logs, acts on nothing
    await platform.to(1, platform.message(MODERATOR, "/shadow off"))  # worker B
    await eventually(lambda: _policies_say(platform, 0, "enforcing"), "A enforcing", 10)
    acted = platform.message(601, "加薇信 shadow2x 领取福利")
    await platform.to(0, acted)  # worker A acts again
    await platform.barrier()
    deleted = platform.deleted()
    assert not deleted[shadowed["message"]["message_id"]]
    assert deleted[acted["message"]["message_id"]] == 1
    assert await warns(db, 600) == 0 and await warns(db, 601) == 1
