"""Telegram for several workers: the stand-in Bot API plus a balancer handing each update to a
worker (at random, to a chosen one, or to both at once), and the group's members."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from typing import Any

from bot.adapters.telegram.standin import StandInBotApi
from tests.workers.processes import SECRET, eventually

GROUP = -1005550088  # the two-worker tests' group
CHAT = f"tg:{GROUP}"


def person(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"user{uid}"}


class Platform(StandInBotApi):
    """Telegram for two workers: who is in ``group``, and a balancer delivering each update
    (also the join that follows an approval) to a worker chosen at random."""

    def __init__(self, group: int = GROUP) -> None:
        super().__init__()
        self.group = group
        self.members: set[int] = set()
        self.most = 0
        self.approved: list[int] = []
        self.webhooks: list[str] = []
        self.deliveries: list[asyncio.Task[None]] = []
        self._update_ids = iter(range(1, 10**6))
        self._rng = random.Random(7)

    def _chat(self, title: str) -> dict[str, Any]:
        return {"id": self.group, "type": "supergroup", "title": title}

    def member_change(self, uid: int, old: str, new: str) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "chat_member": {
            "chat": self._chat("full group"), "from": person(uid), "date": int(time.time()),
            "old_chat_member": {"status": old, "user": person(uid)},
            "new_chat_member": {"status": new, "user": person(uid)}}}

    def join_request(self, uid: int) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "chat_join_request": {
            "chat": self._chat("full group"), "from": person(uid), "user_chat_id": uid,
            "date": int(time.time())}}

    def deliver(self, update: dict[str, Any]) -> None:
        async def post() -> None:
            await asyncio.sleep(self._rng.random() * 0.05)
            url = self._rng.choice(self.webhooks)
            status = await self.post_update(url, update, SECRET)
            assert status == 200, f"{url} answered {status}"

        self.deliveries.append(asyncio.create_task(post()))

    def join(self, uid: int) -> None:
        self.members.add(uid)
        self.most = max(self.most, len(self.members))
        self.deliver(self.member_change(uid, "left", "member"))

    def leave(self, uid: int) -> None:
        self.members.discard(uid)
        self.deliver(self.member_change(uid, "member", "left"))

    async def _result(self, method: str, p: dict[str, Any]) -> Any:
        if method == "approveChatJoinRequest":
            self.approved.append(int(p["user_id"]))
            self.join(int(p["user_id"]))
        return await super()._result(method, p)

    async def settle(self) -> None:
        while self.deliveries:
            await self.deliveries.pop(0)

    def deleted(self) -> Counter[int]:
        """How many times each message id was deleted (one call or a batch)."""
        ids = Counter(int(p["message_id"]) for p in self.of("deleteMessage"))
        for call in self.of("deleteMessages"):
            ids.update(int(i) for i in call["message_ids"])
        return ids


class Balancer(Platform):
    """The platform and a balancer that can also hand one update to both workers at once,
    or to a chosen one; message ids and update ids are numbered here."""

    def __init__(self) -> None:
        super().__init__()
        self._message_ids = iter(range(1, 10**6))

    def message(self, uid: int, text: str, **extra: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "message": {
            "message_id": next(self._message_ids), "from": person(uid),
            "chat": self._chat("two workers"), "date": int(time.time()), "text": text, **extra,
            **({"entities": [{"type": "bot_command", "offset": 0,
                              "length": len(text.split()[0])}]}
               if text.startswith("/") else {})}}

    async def to(self, worker: int, update: dict[str, Any]) -> None:
        assert await self.post_update(self.webhooks[worker], update, SECRET) == 200

    async def to_both(self, update: dict[str, Any]) -> None:
        await asyncio.gather(self.to(0, update), self.to(1, update))

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
