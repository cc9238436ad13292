"""The update path's parts on their own: per-key lanes, acknowledgement, the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.events import MemberJoined, Sender
from bot.gateway_fake import RecordingGateway
from bot.journal_acks import Acks
from bot.notifier import Notifier
from bot.ordering import PerKeyOrder
from bot.outbox import Order, Outbox
from bot.outbox_notices import Notice, NoticeDesk, compose
from bot.ports_fake import MemoryPendingDeletions
from bot.raid import RaidRule, RaidWatch
from bot.verdict import Action

NOW = datetime(2026, 12, 6, tzinfo=UTC)


async def test_jobs_of_one_key_run_in_order_while_other_keys_go_ahead() -> None:
    lanes = PerKeyOrder()
    seen: list[str] = []
    gate = asyncio.Event()

    async def slow() -> None:
        await gate.wait()
        seen.append("a1")

    def job(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            seen.append(name)
        return run

    lanes.submit("a", slow)
    lanes.submit("a", job("a2"))
    lanes.submit("b", job("b1"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert seen == ["b1"]  # b is not held up by a's slow job
    gate.set()
    await lanes.drain()
    assert seen == ["b1", "a1", "a2"]


async def test_put_waits_while_the_limit_of_jobs_is_in_flight() -> None:
    lanes = PerKeyOrder(limit=2)
    gate = asyncio.Event()

    async def held() -> None:
        await gate.wait()

    await lanes.put("a", held)
    await lanes.put("b", held)
    third = asyncio.create_task(lanes.put("c", held))
    await asyncio.sleep(0.01)
    assert not third.done() and len(lanes) == 2  # backpressure, not an unbounded queue
    gate.set()
    await third
    await lanes.drain()


async def test_a_job_joining_two_lanes_waits_for_both_and_holds_up_both() -> None:
    lanes = PerKeyOrder()
    seen: list[str] = []
    gate = asyncio.Event()

    def job(name: str, hold: bool = False):  # type: ignore[no-untyped-def]
        async def run() -> None:
            if hold:
                await gate.wait()
            seen.append(name)
        return run

    lanes.submit("b", job("b1", hold=True))
    lanes.submit("a", job("migrate"), "b")  # a group's migration: in both chats' lanes
    lanes.submit("a", job("a2"))
    lanes.submit("b", job("b2"))
    lanes.submit("c", job("c1"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert seen == ["c1"] and len(lanes) == 4  # the joined job counts once
    gate.set()
    await lanes.drain()
    assert seen[1:3] == ["b1", "migrate"] and set(seen[3:]) == {"a2", "b2"}
    assert len(lanes) == 0


async def test_a_lane_whose_jobs_never_wait_still_lets_other_lanes_in_between() -> None:
    lanes = PerKeyOrder()
    seen: list[str] = []

    def job(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            seen.append(name)
        return run

    for n in range(3):
        lanes.submit("raid", job(f"r{n}"))
    lanes.submit("quiet", job("q"))
    await lanes.drain()
    assert seen.index("q") < seen.index("r2")  # not behind the whole burst


async def test_cancelled_lanes_leave_nothing_counted_in_flight() -> None:
    lanes = PerKeyOrder(limit=10)
    gate = asyncio.Event()

    async def held() -> None:
        await gate.wait()

    for key in "aab":
        lanes.submit(key, held)
    await asyncio.sleep(0)
    assert len(lanes) == 3
    await lanes.cancel()
    assert len(lanes) == 0
    await lanes.drain()  # returns at once


async def test_polling_confirms_nothing_past_the_lowest_update_not_yet_durable() -> None:
    acks = Acks()
    acks.durable_flushes = True
    for update_id in (5, 6, 7):
        acks.begin(update_id)
    acks.end(6)
    acks.end(5)
    assert acks.offset(8) == 5  # 5 and 6 are done but not flushed; 7 is running
    marked = acks.mark()
    acks.commit(marked)
    assert acks.offset(8) == 7
    durable = acks.durable(7)
    acks.end(7)
    assert not durable.done()
    acks.commit(acks.mark())
    assert durable.done() and acks.offset(8) == 8


def test_several_notices_become_one_summary_with_a_line_per_escalation() -> None:
    gateway = RecordingGateway()

    def notice(action: Action, member: str, text: str) -> Notice:
        return Notice(gateway, "test:1", action, text, "en", member, "ads")

    text = compose([notice(Action.DELETE, "a", "a: removed"), notice(Action.DELETE, "b", "b"),
                    notice(Action.MUTE, "a", "a is muted for 1d: ads.")])
    assert text.splitlines() == ["Deleted 3 messages from 2 members: ads.",
                                 "a is muted for 1d: ads."]
    zh = compose([Notice(gateway, "test:1", Action.DELETE, "x", "zh-CN", m, "广告")
                  for m in "ab"])
    assert zh == "已删除 2 名成员的 2 条消息：广告。"


async def test_a_failure_of_the_moment_is_retried_and_every_outcome_recorded() -> None:
    gateway = RecordingGateway()
    gateway.fail_next["delete"] = ["flood: retry after 1s"]
    gateway.fail_next["mute"] = ["network: reset"]
    recorded: list[tuple[int, str]] = []

    async def record(log_id: int, summary: str) -> None:
        recorded.append((log_id, summary))

    raids = RaidWatch(RaidRule(ads=0))
    notifier = Notifier(MemoryPendingDeletions(), {"test": gateway})
    outbox = Outbox(record, NoticeDesk(notifier, raids, window=0), raids, retry_delay=0.01)
    outbox.place(Order(gateway, "test:1", "test:7", Action.MUTE, "55", log_id=1))
    await outbox.drain()
    assert [c.name for c in gateway.calls].count("delete") == 2
    assert [c.name for c in gateway.calls].count("mute") == 2
    assert recorded == [(1, "mute: ok; delete: ok")] or recorded == [(1, "delete: ok; mute: ok")]


def test_a_misspelt_raid_option_is_refused_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("raid:\n  ads: 5\n  adds: 5\ndefaults:\n  policies: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path, env={})
    (problem,) = refused.value.problems
    assert problem.startswith(f"{path}:3:3:") and "adds" in problem
    path.write_text("raid: {ads: 5, within: 30s, lock_new_members: 1h}\n"
                    "defaults:\n  policies: {}\n", encoding="utf-8")
    raid = load_config(path, env={}).app.raid
    assert raid.within == timedelta(seconds=30) and raid.lock_new_members == timedelta(hours=1)


async def test_members_who_join_during_a_raid_are_locked_once() -> None:
    gateway = RecordingGateway()
    raids = RaidWatch(RaidRule(joins=3, lock=timedelta(hours=1)))
    notifier = Notifier(MemoryPendingDeletions(), {"test": gateway})

    async def record(log_id: int, summary: str) -> None: ...

    outbox = Outbox(record, NoticeDesk(notifier, raids, window=0), raids)
    for uid in ("1", "2", "3", "4", "4"):
        await outbox.on_join(MemberJoined("test:1", Sender(f"test:{uid}", uid), NOW), gateway)
    await outbox.drain()
    assert [c.args["user"] for c in gateway.of("mute")] == ["test:3", "test:4"]
