"""What a replay found: decisions by action and symbol, evidence samples, members at risk."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.enforcer import Enforcement
from bot.events import Message
from bot.runtime import ChatRuntime
from bot.verdict import Action, Decision

SAMPLES = 3


@dataclass
class ReplayStats:
    """Filled by a MessageHandler ``after`` hook while the replay runs."""

    decisions: Counter[str] = field(default_factory=Counter)
    symbols: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    members: dict[str, str] = field(default_factory=dict)
    _warns: dict[tuple[str, str], list[datetime]] = field(default_factory=dict)

    async def __call__(self, message: Message, decision: Decision,
                       done: Enforcement | None, runtime: ChatRuntime) -> None:
        if done is None or max(done.intended, done.action) < Action.FLAG:
            return
        would = max(done.intended, done.action)
        if would >= Action.WARN:
            would = self._escalated(message, would, runtime)
            key = message.sender.id
            previous = self.members.get(key)
            if previous is None or Action.parse(previous) < would:
                self.members[key] = would.label
        self.decisions[would.label] += 1
        for verdict in (*decision.verdicts, *decision.observed):
            self.symbols[verdict.symbol] += 1
            bucket = self.samples[verdict.symbol]
            if len(bucket) < SAMPLES:
                bucket.append({
                    "message_id": message.message_id, "sender": message.sender.id,
                    "date": message.date.isoformat(),
                    "evidence": (verdict.evidence or message.text)[:200],
                })

    def _escalated(self, message: Message, would: Action, runtime: ChatRuntime) -> Action:
        """Observe mode stores no warns: count would-be warns here so the ladder still climbs."""
        ladder = runtime.ladder
        key = (message.chat, message.sender.id)
        times = [t for t in self._warns.get(key, ()) if message.date - t < ladder.warn_expiry]
        times.append(message.date)
        self._warns[key] = times
        step = ladder.escalate(len(times))
        return max(would, step.action) if step is not None else would


@dataclass
class ReplayReport:
    """The whole result, printable and JSON-able."""

    chats: list[str]
    events: int
    messages: int
    commands: int
    joins: int
    leaves: int
    seconds: float
    stats: ReplayStats
    service: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    checkins: list[dict[str, Any]] = field(default_factory=list)
    contributions: list[dict[str, Any]] = field(default_factory=list)
    errors: int = 0
    platform_calls: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        at_risk: dict[str, list[str]] = defaultdict(list)
        for user, action in sorted(self.stats.members.items()):
            at_risk[action].append(user)
        return {
            "chats": self.chats, "events": self.events, "messages": self.messages,
            "commands": self.commands, "joins": self.joins, "leaves": self.leaves,
            "seconds": round(self.seconds, 3),
            "messages_per_second": round(self.events / self.seconds) if self.seconds else None,
            "decisions": dict(self.stats.decisions.most_common()),
            "symbols": dict(self.stats.symbols.most_common()),
            "samples": dict(self.stats.samples),
            "members": {"warn": at_risk.get("warn", []), "mute": at_risk.get("mute", []),
                        "kick": at_risk.get("kick", []), "ban": at_risk.get("ban", [])},
            "checkins": self.checkins, "contributions": self.contributions,
            "service": self.service, "unknown": self.unknown, "handler_errors": self.errors,
            "platform_calls": self.platform_calls,
        }

    def _name(self, user: str) -> str:
        name = self.names.get(user)
        return f"{name} ({user})" if name else user

    def lines(self) -> list[str]:
        data = self.to_json()
        rate = data["messages_per_second"]
        out = [f"Replayed {self.events} events ({self.messages} messages, {self.commands} "
               f"commands, {self.joins} joins, {self.leaves} leaves) from "
               f"{', '.join(self.chats)} in {self.seconds:.1f}s"
               + (f" ({rate}/s)" if rate else "") + " — observe mode, nothing was acted on."]
        out.append("Decisions by action: " + (", ".join(
            f"{k} {v}" for k, v in data["decisions"].items()) or "none"))
        out.append("Decisions by symbol:")
        for symbol, count in data["symbols"].items():
            out.append(f"  {symbol}: {count}")
            for sample in data["samples"].get(symbol, []):
                evidence = " ".join(sample["evidence"].split())[:80]
                out.append(f"    #{sample['message_id']} {self._name(sample['sender'])}: "
                           f"{evidence}")
        for action, verb in (("warn", "warned"), ("mute", "muted"), ("kick", "removed"),
                             ("ban", "banned")):
            users = data["members"][action]
            if users:
                out.append(f"Would be {verb} ({len(users)}): "
                           + ", ".join(self._name(u) for u in users[:20])
                           + (" …" if len(users) > 20 else ""))
        if self.checkins:
            out.append("Check-in leaders: " + ", ".join(
                f"{self._name(c['user'])} {c['current']}d (best {c['best']})"
                for c in self.checkins))
        if self.contributions:
            out.append("Contribution leaders: " + ", ".join(
                f"{self._name(c['user'])} {c['points']:g}" for c in self.contributions))
        if self.service:
            out.append("Other service messages: " + ", ".join(
                f"{k} {v}" for k, v in sorted(self.service.items())))
        out.append("Unknown shapes: " + (", ".join(
            f"{k} {v}" for k, v in sorted(self.unknown.items())) or "none"))
        if self.errors:
            out.append(f"Handler errors: {self.errors} (see the log)")
        return out
