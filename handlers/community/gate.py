"""Entry gate: newcomers stay muted until they accept the rules or solve a challenge in time."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import delete

from bot.events import (
    ButtonPress,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    Role,
    Sender,
    direct_chat,
)
from bot.gateway import Button, ChatGateway
from bot.i18n import Text, t
from handlers.community.capacity import admit_request
from handlers.community.common import Hub
from storage.models import CounterRow
from storage.records import GateRecord
from storage.state import GateRepo, StateRepo

WELCOME = t("Welcome, {name}! Please read the rules and press the button below within "
            "{minutes} minutes, or you will be removed.",
            "欢迎 {name}！请阅读群规，并在 {minutes} 分钟内点击下方按钮，否则将被移出群聊。")
CHALLENGE = t("Welcome, {name}! To prove you are human, answer within {minutes} minutes: "
              "{a} + {b} = ?",
              "欢迎 {name}！请在 {minutes} 分钟内回答：{a} + {b} = ?")
PRIVATE = t("Before you join, please read the rules and answer within {minutes} minutes.",
            "入群前请阅读群规，并在 {minutes} 分钟内完成验证。")
ACCEPT = t("✅ I accept the rules", "✅ 我已阅读并同意群规")
PASSED = t("Thank you! You can now take part.", "验证通过，欢迎参与讨论！")
RULES = t("Rules:", "群规：")
PASS_KEY = "gatepass:"
PREFIX = "g|"
REQUEST = "req:"


def _join(*texts: Text) -> Text:
    return Text("\n".join(x.en for x in texts), "\n".join(x.zh for x in texts))


def challenge(rng: random.Random) -> tuple[int, int, list[str]]:
    """Two small numbers and four shuffled options, one of them their sum."""
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    options = {a + b}
    while len(options) < 4:
        options.add(rng.randint(2, 18))
    shuffled = sorted(options)
    rng.shuffle(shuffled)
    return a, b, [str(o) for o in shuffled]


def parse_press(data: str) -> tuple[str, str] | None:
    """``g|<chat>|<answer>`` → (chat, answer)."""
    if not data.startswith(PREFIX):
        return None
    chat, sep, answer = data[len(PREFIX):].rpartition("|")
    return (chat, answer) if sep and chat else None


class Gate:
    """The gate's handlers and its timeout job."""

    def __init__(self, hub: Hub, rng: random.Random | None = None) -> None:
        self.hub = hub
        self.rng = rng or random.Random()

    async def _ask(self, gateway: ChatGateway, where: str, chat: str, user: Sender,
                   intro: Text) -> tuple[str, str | None]:
        """Post the rules and the button(s) in ``where``; returns (answer, message id)."""
        opts = self.hub.options(chat).gate
        profile = self.hub.services.book.get(chat).profile
        minutes = max(1, int(opts.timeout.total_seconds() // 60))
        parts = [intro]
        if opts.welcome:
            parts.insert(0, Text(opts.welcome, opts.welcome))
        if profile.rules:
            rules = "\n".join(f"{i}. {r}" for i, r in enumerate(profile.rules, 1))
            parts.append(Text(f"{RULES.en}\n{rules}", f"{RULES.zh}\n{rules}"))
        buttons: tuple[Button, ...]
        if opts.mode == "button":
            answer, buttons = "ok", (Button(ACCEPT, f"{PREFIX}{chat}|ok"),)
            values: dict[str, object] = {}
        else:
            a, b, options = challenge(self.rng)
            answer = str(a + b)
            buttons = tuple(Button(Text(o, o), f"{PREFIX}{chat}|{o}") for o in options)
            values = {"a": a, "b": b}
            parts[parts.index(intro)] = CHALLENGE if intro is WELCOME else intro
        text = _join(*parts).format(minutes=minutes, name=user.name or user.username or "",
                                    **values)
        message_id = await self.hub.say(gateway, where, text, keep=True, buttons=buttons,
                                        lang_of=chat)
        return answer, message_id

    async def _open(self, chat: str, user: str, answer: str, message_id: str | None,
                    ref: str = "") -> None:
        now = self.hub.services.clock()
        deadline = now + self.hub.options(chat).gate.timeout
        async with self.hub.services.db.session() as session:
            await GateRepo(session).open(chat, user, answer=answer, deadline=deadline, at=now,
                                         ref=ref, message_id=message_id or "")

    async def joined(self, event: MemberJoined, gateway: ChatGateway) -> None:
        opts = self.hub.options(event.chat).gate
        if not opts.enabled:
            return
        if opts.clean_service_messages and event.message_id:
            await gateway.delete(event.chat, [event.message_id])
        if event.user.is_bot or event.user.role >= Role.MODERATOR or \
                event.user.id in self.hub.services.book.get(event.chat).moderators:
            return
        async with self.hub.services.db.session() as session:
            passed = await session.execute(delete(CounterRow).where(
                CounterRow.chat == event.chat, CounterRow.key == f"{PASS_KEY}{event.user.id}"))
        if getattr(passed, "rowcount", 0):
            return  # passed the gate in private before their request was approved
        await gateway.mute(event.chat, event.user.id, None)
        answer, message_id = await self._ask(gateway, event.chat, event.chat, event.user,
                                             WELCOME)
        await self._open(event.chat, event.user.id, answer, message_id)

    async def requested(self, event: JoinRequest, gateway: ChatGateway) -> None:
        opts = self.hub.options(event.chat).gate
        if not (opts.enabled and opts.requests_in_private):
            return
        intro = PRIVATE if opts.mode == "button" else _join(PRIVATE, CHALLENGE)
        answer, message_id = await self._ask(gateway, direct_chat(event.user.id), event.chat,
                                             event.user,
                                             intro)
        await self._open(event.chat, event.user.id, answer, message_id,
                         ref=f"{REQUEST}{event.ref}")

    async def left(self, event: MemberLeft, gateway: ChatGateway) -> None:
        opts = self.hub.options(event.chat).gate
        if not opts.enabled:
            return
        if opts.clean_service_messages and event.message_id:
            await gateway.delete(event.chat, [event.message_id])
        async with self.hub.services.db.session() as session:
            await GateRepo(session).close(event.chat, event.user.id)

    async def pressed(self, event: ButtonPress, gateway: ChatGateway) -> None:
        parsed = parse_press(event.data)
        if parsed is None:
            return
        chat, answer = parsed
        async with self.hub.services.db.session() as session:
            gate = await GateRepo(session).get(chat, event.user.id)
            if gate is None:
                return  # someone else's button, or already decided
            await GateRepo(session).close(chat, event.user.id)
        if answer != gate.answer:
            await self._reject(gate, gateway)
            return
        if gate.ref.startswith(REQUEST):
            now = self.hub.services.clock()
            async with self.hub.services.db.session() as session:
                await StateRepo(session).put(chat, f"{PASS_KEY}{event.user.id}", {"ok": True},
                                             now)
            if gate.message_id:
                await gateway.delete(event.user.id, [gate.message_id])
            ref = gate.ref[len(REQUEST):]
            if self.hub.options(chat).capacity.enabled:
                await admit_request(self.hub, chat, event.user, ref, gateway)
            else:
                await gateway.approve_join(chat, event.user.id, ref)
            return
        await gateway.unmute(chat, event.user.id)
        if gate.message_id:
            await gateway.delete(chat, [gate.message_id])
        await self.hub.say(gateway, chat, PASSED)

    async def _reject(self, gate: GateRecord, gateway: ChatGateway) -> None:
        if gate.ref.startswith(REQUEST):
            await gateway.decline_join(gate.chat, gate.user_id, gate.ref[len(REQUEST):])
            if gate.message_id:
                await gateway.delete(gate.user_id, [gate.message_id])
            return
        await gateway.kick(gate.chat, gate.user_id)
        if gate.message_id:
            await gateway.delete(gate.chat, [gate.message_id])

    async def expire(self, now: datetime) -> int:
        """Remove (or decline) everyone whose time ran out; returns how many."""
        async with self.hub.services.db.session() as session:
            due = await GateRepo(session).expired(now)
            for gate in due:
                await GateRepo(session).close(gate.chat, gate.user_id)
        for gate in due:
            gateway = self.hub.gateway(gate.chat)
            if gateway is not None:
                await self._reject(gate, gateway)
        return len(due)


def register_gate(hub: Hub) -> Gate:
    """Gate handlers on joins, requests, departures and button presses; a minutely timeout."""
    from bot.scheduler import Cron

    gate = Gate(hub)
    dispatcher = hub.services.dispatcher
    dispatcher.on(MemberJoined, gate.joined)
    dispatcher.on(JoinRequest, gate.requested)
    dispatcher.on(MemberLeft, gate.left)
    dispatcher.on(ButtonPress, gate.pressed)
    hub.scheduler.add("gate-timeouts", Cron.parse("* * * * *"), gate.expire)
    return gate
