"""Two real `qunguan run` workers in webhook mode on one PostgreSQL database and one Redis,
behind a balancer handing each update to either: they decide exactly as one worker would."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.verdict import Action
from storage.db import Database
from storage.logs import LogRepo
from storage.warns import WarnRepo
from tests.community.test_capacity_processes import (
    SECRET,
    Platform,
    _listening,
    eventually,
    free_port,
    person,
)

ROOT = Path(__file__).resolve().parents[2]
QUNGUAN = str(Path(sys.executable).parent / "qunguan")  # the console script, as deployed
GROUP = -1005550088
CHAT = f"tg:{GROUP}"
MODERATOR = 900
CONFIG = """
telegram: {{base_url: "{base}", mode: webhook, webhook_url: "{hook}"}}
server: {{host: 127.0.0.1, port: {port}}}
storage: {{url: "{db}"}}
playground: {{enabled: false}}
raid: {{ads: 10, within: 10s}}  # one switch for both workers (test_raid_across_workers)
defaults:
  language: en
  moderators: ["tg:{moderator}"]
  notices: {{keep: true}}
  policies:
    ads: {{mode: enforce}}
    flood: {{max_messages: 6, per_seconds: 3600, max_run: 0, raid_seconds: 3600}}
"""


class Balancer(Platform):
    """The platform and a balancer that can also hand one update to both workers at once,
    or to a chosen one; message ids and update ids are numbered here."""

    def __init__(self) -> None:
        super().__init__()
        self._message_ids = iter(range(1, 10**6))

    def message(self, uid: int, text: str, **extra: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "message": {
            "message_id": next(self._message_ids), "from": person(uid),
            "chat": {"id": GROUP, "type": "supergroup", "title": "two workers"},
            "date": int(time.time()), "text": text, **extra,
            **({"entities": [{"type": "bot_command", "offset": 0,
                              "length": len(text.split()[0])}]}
               if text.startswith("/") else {})}}

    async def to(self, worker: int, update: dict[str, Any]) -> None:
        assert await self.post_update(self.webhooks[worker], update, SECRET) == 200

    async def to_both(self, update: dict[str, Any]) -> None:
        await asyncio.gather(self.to(0, update), self.to(1, update))

    def deleted(self) -> Counter[int]:
        ids = Counter(int(p["message_id"]) for p in self.of("deleteMessage"))
        for call in self.of("deleteMessages"):
            ids.update(int(i) for i in call["message_ids"])
        return ids

    def muted(self) -> Counter[int]:
        return Counter(int(p["user_id"]) for p in self.of("restrictChatMember"))

    async def barrier(self) -> None:
        """An ad sent to each worker last: once both are deleted, each worker has handled
        every earlier update of the chat (a chat's updates are handled in order)."""
        await self.settle()
        ids = []
        for worker in (0, 1):
            update = self.message(990 + worker, f"加薇信 barrier{worker}x 领取福利")
            ids.append(update["message"]["message_id"])
            await self.to(worker, update)
        await eventually(lambda: _done(self, ids), "both workers past the barrier", 120)


async def _done(platform: Balancer, ids: list[int]) -> bool:
    deleted = platform.deleted()
    return all(deleted[i] for i in ids)


Workers = tuple[Balancer, Database]


@pytest.fixture
async def workers(pg_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Workers]:
    platform = Balancer()
    async with platform:
        procs: list[asyncio.subprocess.Process] = []
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
               "TELEGRAM_WEBHOOK_SECRET": SECRET, "PYTHONPATH": str(ROOT),
               "QUNGUAN_DASHBOARD_SECRET": "dash-" + SECRET,  # one key for all workers
               "QUNGUAN_REDIS_URL": redis_url}
        for n in range(2):
            port = free_port()
            hook = f"http://127.0.0.1:{port}/telegram/webhook"
            path = tmp_path / f"worker{n}.yaml"
            path.write_text(CONFIG.format(base=platform.base_url, hook=hook, port=port,
                                          db=pg_url, moderator=MODERATOR), encoding="utf-8")
            platform.webhooks.append(hook)
            procs.append(await asyncio.create_subprocess_exec(
                QUNGUAN, "run", "--config", str(path), cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=(tmp_path / f"w{n}.log").open("wb")))
        db = Database(pg_url)
        try:
            await platform.wait_for("setWebhook", 2, within=90)
            for hook in platform.webhooks:
                await eventually(partial(_listening, hook), f"{hook} listening")
            yield platform, db
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            assert [await asyncio.wait_for(p.wait(), 30) for p in procs] == [0, 0]
            for n in range(2):
                log = (tmp_path / f"w{n}.log").read_text(encoding="utf-8")
                assert "Traceback" not in log, log
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
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
