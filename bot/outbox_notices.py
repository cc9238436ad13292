"""Notices of enforcement, coalesced per chat in a short window and sent within rate limits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.gateway import ChatGateway
from bot.i18n import t
from bot.notifier import Notifier
from bot.raid import Raid, RaidWatch
from bot.verdict import Action

log = logging.getLogger(__name__)

SUMMARY = t("Deleted {count} messages from {members} members: {reasons}.",
            "已删除 {members} 名成员的 {count} 条消息：{reasons}。")
MORE = t("… and {n} more.", "……另有 {n} 条。")
RAID_ON = t("⚠️ Raid detected: messages are removed in bulk and their senders banned."
            " Moderators, please take a look.",
            "⚠️ 检测到刷屏攻击：正在批量删除消息并封禁发送者。请管理员留意。")
RAID_OVER = t("Raid over: deleted {deleted} messages from {members} accounts; {banned} banned,"
              " {locked} new members locked.",
              "刷屏攻击结束：已删除 {members} 个账号的 {deleted} 条消息；封禁 {banned} 个，"
              "限制新成员 {locked} 个。")
LINES = 10  # escalation lines in one summary, at most


@dataclass(frozen=True, slots=True)
class Notice:
    """One enforcement notice: ``text`` alone, or a line of a chat's summary."""

    gateway: ChatGateway
    chat: str
    action: Action
    text: str
    lang: str
    member: str
    reason: str
    thread_id: str | None = None


class Bucket:
    """A token bucket: ``burst`` at once, then ``rate`` per second."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = float(burst), clock()

    def wait_time(self) -> float:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    async def take(self) -> None:
        delay = self.wait_time()
        while delay > 0:
            await asyncio.sleep(delay)
            delay = self.wait_time()
        self.tokens -= 1


def compose(notices: list[Notice]) -> str:
    """One notice as it is; several as one summary plus a line per escalation."""
    if len(notices) == 1:
        return notices[0].text
    lang = notices[-1].lang
    reasons = list(dict.fromkeys(n.reason for n in notices))
    why = "; ".join(reasons[:3]) + ("…" if len(reasons) > 3 else "")
    lines = [SUMMARY.render(lang, count=len(notices), reasons=why,
                            members=len({n.member for n in notices}))]
    escalations = [n.text for n in notices if n.action >= Action.WARN]
    lines += escalations[:LINES]
    if len(escalations) > LINES:
        lines.append(MORE.render(lang, n=len(escalations) - LINES))
    return "\n".join(lines)


@dataclass
class _Desk:
    waiting: list[Notice] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    bucket: Bucket | None = None


class NoticeDesk:
    """Per chat: waits ``window`` seconds for more notices, holds them through a raid (its
    summary replaces them), then sends one message when the chat's and the overall buckets
    allow. Never blocks the caller."""

    def __init__(self, notifier: Notifier, raids: RaidWatch, *, window: float = 0.5,
                 per_minute: float = 20.0, burst: int = 3, per_second: float = 30.0) -> None:
        self.notifier = notifier
        self.raids = raids
        self.window = window
        self.per_minute, self.burst = per_minute, burst
        self.overall = Bucket(per_second, max(1, int(per_second)))
        self._desks: dict[str, _Desk] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.sent = 0
        self._hurried = asyncio.Event()

    def hurry(self) -> None:
        """Stopping: waiting notices go out now, without their window or a raid's end."""
        self._hurried.set()

    def add(self, notice: Notice) -> None:
        desk = self._desks.setdefault(notice.chat, _Desk())
        desk.waiting.append(notice)
        self._wake(notice.chat, desk)

    def raid_started(self, gateway: ChatGateway, chat: str, raid: Raid, lang: str) -> None:
        """Tell the chat (and its moderators) once that a raid is being handled."""
        if raid.told:
            return
        raid.told = True
        self._spawn(self._tell_raid(gateway, chat, lang))

    async def _tell_raid(self, gateway: ChatGateway, chat: str, lang: str) -> None:
        if await self.raids.tells(chat):  # several workers: the one that wins it
            log.warning("raid in %s: switching to raid handling", chat)
            await self._send(gateway, chat, RAID_ON.render(lang), lang, None)

    def _wake(self, chat: str, desk: _Desk) -> None:
        if desk.task is None or desk.task.done():
            desk.task = self._spawn(self._work(chat, desk))

    def _spawn(self, job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(job)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _work(self, chat: str, desk: _Desk) -> None:
        await self._pause(self.window)
        while desk.waiting or self.raids.quiet_in(chat):
            quiet = self.raids.quiet_in(chat)
            while quiet > 0 and not self._hurried.is_set():  # a raid: its summary replaces
                await self._pause(quiet + 0.01)  # the notices held meanwhile
                quiet = self.raids.quiet_in(chat)
            raid = await self.raids.ended(chat, force=self._hurried.is_set())
            if raid is None and self.raids.quiet_in(chat) and not self._hurried.is_set():
                continue  # another worker's share of the raid goes on
            batch, desk.waiting = desk.waiting, []
            if raid is not None and (raid.deleted or raid.locked):
                lang = batch[-1].lang if batch else "en"
                gateway = batch[-1].gateway if batch else None
                if gateway is not None and raid.tell:  # one summary, from one worker
                    text = RAID_OVER.render(lang, deleted=raid.deleted, members=len(raid.members),
                                            banned=len(raid.banned), locked=len(raid.locked))
                    await self._limited(chat, desk, gateway, text, lang, None)
                continue
            if batch:
                last = batch[-1]
                await self._limited(chat, desk, last.gateway, compose(batch), last.lang,
                                    last.thread_id)
        if not desk.waiting and self._desks.get(chat) is desk:
            del self._desks[chat]

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._hurried.wait()

    async def _limited(self, chat: str, desk: _Desk, gateway: ChatGateway, text: str,
                       lang: str, thread_id: str | None) -> None:
        if desk.bucket is None:
            desk.bucket = Bucket(self.per_minute / 60.0, self.burst)
        await desk.bucket.take()
        await self._send(gateway, chat, text, lang, thread_id)

    async def _send(self, gateway: ChatGateway, chat: str, text: str, lang: str,
                    thread_id: str | None) -> None:
        await self.overall.take()
        try:
            await self.notifier.notify(gateway, chat, text, lang=lang, thread_id=thread_id)
            self.sent += 1
        except Exception:
            log.exception("notice to %s failed", chat)
