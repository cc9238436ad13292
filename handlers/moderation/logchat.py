"""The log chat: each decision with [Undo] [Keep] buttons, a digest when many arrive at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.events import ButtonPress
from bot.gateway import Button, Capability, ChatGateway
from bot.i18n import t
from bot.ports import LogEntry
from handlers.moderation.actions import gateway_for
from handlers.moderation.render import entry_line
from handlers.moderation.rights import may_moderate
from handlers.moderation.undo import undo
from storage.logs import LogRepo
from storage.state import StateRepo

if TYPE_CHECKING:
    from handlers.services import Services

log = logging.getLogger(__name__)

UNDO = t("Undo", "撤销")
KEEP = t("Keep", "保留")
KEEP_ALL = t("Keep all", "全部保留")
DIGEST_HEAD = t("{n} decisions in {chat}:", "{chat} 的 {n} 条处置：")
ENTRY_HEAD = t("Decision in {chat}:", "{chat} 的处置：")
KEPT = t("#{id} kept by {who}.", "#{id} 已由 {who} 确认保留。")
UNDONE_BY = t("#{id} undone by {who}: {steps}.", "#{id} 已由 {who} 撤销：{steps}。")
NOT_ALLOWED = t("{who}: only moderators of {chat} can do that.",
                "{who}：只有 {chat} 的管理人员可以这样做。")
GONE = t("#{id}: {problem}.", "#{id}：{problem}。")
DIGEST_BUTTONS = 8


class LogRelay:
    """Posts log entries to each chat's ``log_chat``; bursts become one digest message."""

    def __init__(self, services: Services, *, window: timedelta = timedelta(seconds=10),
                 burst: int = 3) -> None:
        self.services = services
        self.window = window
        self.burst = burst
        self._sent: dict[str, deque[datetime]] = defaultdict(deque)
        self._pending: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._gateways: dict[str, ChatGateway] = {}
        self._timer: asyncio.Task[None] | None = None

    async def post(self, log_id: int, gateway: ChatGateway) -> None:
        async with self.services.db.session() as session:
            entry = await LogRepo(session).get(log_id)
        if entry is None:
            return
        target = self.services.book.get(entry.chat).profile.log_chat
        if not target or target == entry.chat:
            return
        out = gateway_for(self.services, target, gateway)
        self._gateways[target] = out
        now = self.services.clock()
        sent = self._sent[target]
        while sent and now - sent[0] > self.window:
            sent.popleft()
        if len(sent) < self.burst and not self._pending:
            sent.append(now)
            await self._send_one(out, target, entry)
            return
        self._pending[(target, entry.chat)].append(log_id)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None and not self._timer.done():
            return
        with contextlib.suppress(RuntimeError):
            self._timer = asyncio.get_running_loop().create_task(self._later())

    async def _later(self) -> None:
        await asyncio.sleep(self.window.total_seconds())
        await self.flush()

    async def flush(self) -> int:
        """Send every pending burst now as digests; returns the number of messages sent."""
        pending, self._pending = self._pending, defaultdict(list)
        sent = 0
        for (target, chat), ids in pending.items():
            async with self.services.db.session() as session:
                repo = LogRepo(session)
                entries = [e for e in [await repo.get(i) for i in ids] if e is not None]
            if not entries:
                continue
            gateway = self._gateways[target]
            if len(entries) == 1:
                await self._send_one(gateway, target, entries[0])
            else:
                await self._send_digest(gateway, target, chat, entries)
            self._sent[target].append(self.services.clock())
            sent += 1
        return sent

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        await self.flush()

    def _lang(self, chat: str) -> str:
        return self.services.book.get(chat).language

    async def _send_one(self, gateway: ChatGateway, target: str, entry: LogEntry) -> None:
        lang = self._lang(entry.chat)
        body = ENTRY_HEAD.render(lang, chat=entry.chat) + "\n" + entry_line(entry, lang)
        buttons = [Button(UNDO, data=f"undo:{entry.id}"), Button(KEEP, data=f"keep:{entry.id}")]
        await self._send(gateway, target, body, buttons, lang)

    async def _send_digest(self, gateway: ChatGateway, target: str, chat: str,
                           entries: list[LogEntry]) -> None:
        lang = self._lang(chat)
        lines = "\n".join(entry_line(e, lang) for e in entries)
        body = DIGEST_HEAD.render(lang, n=len(entries), chat=chat) + "\n" + lines
        buttons = [Button(UNDO, data=f"undo:{e.id}") for e in entries[:DIGEST_BUTTONS]]
        ids = [e.id for e in entries if e.id is not None]
        buttons.append(Button(KEEP_ALL, data=f"keep:{min(ids)}-{max(ids)}"))
        await self._send(gateway, target, body, buttons, lang)

    async def _send(self, gateway: ChatGateway, target: str, body: str, buttons: list[Button],
                    lang: str) -> None:
        if Capability.BUTTONS not in gateway.capabilities(target):
            buttons = []
        await self.services.notifier.notify(gateway, target, body, lang=lang, buttons=buttons,
                                            keep=True)


async def on_button(services: Services, press: ButtonPress, gateway: ChatGateway) -> None:
    """[Undo] / [Keep] / [Keep all] pressed in a log chat."""
    verb, _, rest = press.data.partition(":")
    if verb not in ("undo", "keep") or not rest:
        return
    first, _, last = rest.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return
    ids = range(int(first), int(last or first) + 1)
    async with services.db.session() as session:
        repo = LogRepo(session)
        entries = [e for e in [await repo.get(i) for i in ids] if e is not None]
    lang = services.book.get(press.chat).language
    who = press.user.name or press.user.id
    for entry in entries:
        assert entry.id is not None
        if services.book.get(entry.chat).profile.log_chat != press.chat \
                and entry.chat != press.chat:
            continue
        if not await may_moderate(services, entry.chat, press.user):
            await services.notifier.notify(gateway, press.chat, NOT_ALLOWED, lang=lang,
                                           values={"who": who, "chat": entry.chat})
            return
        if verb == "keep":
            async with services.db.session() as session:
                await StateRepo(session).put(entry.chat, f"review:{entry.id}",
                                             {"kept_by": press.user.id}, services.clock())
            await services.notifier.notify(gateway, press.chat, KEPT, lang=lang,
                                           values={"id": entry.id, "who": who})
            continue
        done = await undo(services, gateway, entry.id, press.user.id)
        if done.problem:
            await services.notifier.notify(gateway, press.chat, GONE, lang=lang,
                                           values={"id": entry.id, "problem": done.problem})
            continue
        await services.notifier.notify(gateway, press.chat, UNDONE_BY, lang=lang, values={
            "id": entry.id, "who": who, "steps": "; ".join(done.steps) or "marked undone"})
