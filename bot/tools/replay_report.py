"""What a replay found: decisions by action and symbol, evidence samples, members at risk."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.enforcer import Enforcement
from bot.events import Kind, Message
from bot.runtime import ChatRuntime
from bot.standing import Standing, capped
from bot.tools import replay_advice as advice
from bot.verdict import Action, Decision, Verdict, family_of

SAMPLES = 3
EXCERPT = 200
TOP = 10
#: Families whose delete-or-stronger actions make the headline (harm, not the rulebook).
HARM_FAMILIES = ("AD", "SPAM", "NEWCOMER", "ABUSE")


def excerpt(message: Message, limit: int = EXCERPT) -> str:
    """The message's text on one line, cut at ``limit``; media-only messages as ``[voice]``."""
    flat = " ".join(message.text.split())
    if not flat:
        flat = " ".join(f"[{k.value}]" for k in sorted(message.kinds) if k != Kind.TEXT)
    return flat[:limit]


def family_for(verdicts: Iterable[Verdict]) -> str:
    """The family contributing the most score (a forced verdict's family wins a tie)."""
    weight: dict[str, tuple[float, bool]] = {}
    for verdict in verdicts:
        score, forced = weight.get(family_of(verdict.symbol), (0.0, False))
        weight[family_of(verdict.symbol)] = (score + max(verdict.score, 0.0),
                                             forced or verdict.force is not None)
    return max(weight.items(), key=lambda kv: kv[1])[0] if weight else ""


@dataclass
class ReplayStats:
    """Filled by a MessageHandler ``after`` hook while the replay runs."""

    decisions: Counter[str] = field(default_factory=Counter)
    symbols: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    members: dict[str, str] = field(default_factory=dict)
    #: the enforcer's standing: the ladder emulated here stops where the enforcer's would
    standing: Standing | None = None
    #: one row per decision at flag or above (``--decisions``)
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: family → action label → decisions
    families: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: member → symbols of their decisions at warn or above
    member_symbols: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter))
    #: symbol → decisions at delete or above its family drove; symbol → its policy
    acted: Counter[str] = field(default_factory=Counter)
    policies: dict[str, str] = field(default_factory=dict)
    #: members whose climb past warn was capped (top contributors, rulebook-only offences)
    kept: Counter[str] = field(default_factory=Counter)
    thresholds: dict[str, float] = field(default_factory=dict)
    forced: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)
    _warns: dict[tuple[str, str], list[datetime]] = field(default_factory=dict)

    async def __call__(self, message: Message, decision: Decision,
                       done: Enforcement | None, runtime: ChatRuntime) -> None:
        if done is None or max(done.intended, done.action) < Action.FLAG:
            return
        verdicts = (*decision.verdicts, *decision.observed)
        would = max(done.intended, done.action)
        if would >= Action.WARN:
            would = await self._escalated(message, would, runtime, verdicts)
            key = message.sender.id
            previous = self.members.get(key)
            if previous is None or Action.parse(previous) < would:
                self.members[key] = would.label
            self.member_symbols[key].update(v.symbol for v in verdicts if v.score > 0
                                            or v.force is not None)
        if not self.thresholds:
            self.thresholds = {a.label: v for a, v in runtime.scoring.thresholds.items()}
        self.decisions[would.label] += 1
        family = family_for(verdicts)
        self.families[family][would.label] += 1
        for verdict in verdicts:
            self.symbols[verdict.symbol] += 1
            self.policies.setdefault(verdict.symbol, verdict.policy)
            if verdict.force is not None:
                self.forced.add(verdict.symbol)
            if would >= Action.DELETE and family_of(verdict.symbol) == family and (
                    verdict.score > 0 or verdict.force is not None):
                self.acted[verdict.symbol] += 1  # it drove the action: suggestions weigh it
            bucket = self.samples[verdict.symbol]
            if len(bucket) < SAMPLES:
                bucket.append({
                    "message_id": message.message_id, "sender": message.sender.id,
                    "date": message.date.isoformat(),
                    "evidence": (verdict.evidence or message.text)[:200],
                })
        self.names.setdefault(message.sender.id, message.sender.name)
        self.rows.append({
            "chat": message.chat, "message_id": message.message_id,
            "date": message.date.isoformat(), "sender_id": message.sender.id,
            "sender_name": message.sender.name or message.sender.username,
            "action": would.label, "family": family,
            "symbols": {v.symbol: round(v.score, 2) for v in verdicts},
            "evidence": {v.symbol: v.evidence for v in verdicts if v.evidence},
            "score": round(decision.score + sum(v.score for v in decision.observed), 2),
            "excerpt": excerpt(message),
        })

    async def _escalated(self, message: Message, would: Action, runtime: ChatRuntime,
                         verdicts: Sequence[Verdict]) -> Action:
        """Observe mode stores no warns: count would-be warns here so the ladder still climbs,
        and stop it where the enforcer would (``bot.standing``: top contributors)."""
        ladder = runtime.ladder
        key = (message.chat, message.sender.id)
        times = [t for t in self._warns.get(key, ()) if message.date - t < ladder.warn_expiry]
        times.append(message.date)
        self._warns[key] = times
        step = ladder.escalate(len(times))
        wanted = max(would, step.action) if step is not None else would
        if wanted > Action.WARN and self.standing is not None and await self.standing.protects(
                message.chat, message.sender.id, verdicts, message.date):
            self.kept[message.sender.id] += 1
            return capped(wanted, True)
        return wanted


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
            **self.figures(),
        }

    def figures(self) -> dict[str, Any]:
        """Rates per 1,000 messages, who would be muted or removed and why, flagged domains
        and members, and suggested config changes."""
        found = self.stats
        sanctioned = [
            {"user": user, "name": self.names.get(user) or found.names.get(user, ""),
             "action": action,
             "symbols": dict(found.member_symbols[user].most_common()),
             **({"kept_by_standing": found.kept[user]} if found.kept.get(user) else {})}
            for user, action in sorted(found.members.items())
            if Action.parse(action) >= Action.MUTE]
        return {
            "per_1000": advice.family_rates(found.families, self.messages),
            "harm_per_1000": advice.harm_rate(found.families, self.messages, HARM_FAMILIES),
            "sanctioned": sanctioned,
            "kept_by_standing": dict(found.kept),
            "domains": [d.to_json() for d in advice.domains(found.rows)[:TOP]],
            "flagged_members": advice.members(found.rows, TOP),
            "suggestions": advice.suggestions(
                messages=self.messages, rows=found.rows, acted=found.acted,
                forced=found.forced, policies=found.policies, thresholds=found.thresholds),
        }

    def _name(self, user: str) -> str:
        name = self.names.get(user) or self.stats.names.get(user)
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
        out.extend(self._rates(data))
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
        out.extend(self._findings(data))
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
        out.extend(self._suggested(data))
        return out

    def _rates(self, data: dict[str, Any]) -> list[str]:
        out = ["Actions per 1,000 messages by family (the family contributing the most score):",
               f"  {'family':<10} {'flag+':>7} {'delete+':>8}  by action"]
        for family, rates in data["per_1000"].items():
            detail = ", ".join(f"{k} {v:g}" for k, v in rates.items()
                               if k not in ("all", "delete+"))
            out.append(f"  {family:<10} {rates['all']:>7.2f} {rates['delete+']:>8.2f}  {detail}")
        out.append(f"Headline: {data['harm_per_1000']:g} delete-or-stronger actions per 1,000 "
                   f"messages from {'/'.join(f.lower() for f in HARM_FAMILIES)} symbols.")
        return out

    def _findings(self, data: dict[str, Any]) -> list[str]:
        out: list[str] = []
        if data["sanctioned"]:
            out.append(f"Muted or removed ({len(data['sanctioned'])}), and the symbols that got "
                       f"them there:")
            for item in data["sanctioned"]:
                symbols = ", ".join(f"{s} ×{n}" for s, n in item["symbols"].items())
                out.append(f"  {item['action']:<5} {self._name(item['user'])}: {symbols}")
        if data["kept_by_standing"]:
            out.append("Kept at warn as top contributors (rulebook-only offences): " + ", ".join(
                f"{self._name(u)} ×{n}" for u, n in data["kept_by_standing"].items()))
        if data["domains"]:
            out.append("Most-flagged domains (link symbols): " + ", ".join(
                f"{d['domain']} {d['messages']} msgs/{d['members']} members"
                for d in data["domains"]))
        if data["flagged_members"]:
            out.append("Most-flagged members:")
            for m in data["flagged_members"]:
                symbols = ", ".join(f"{s} ×{n}" for s, n in m["symbols"].items())
                out.append(f"  {m['decisions']:>4}  {self._name(m['user'])} (worst: "
                           f"{m['worst']}) {symbols}")
        return out

    @staticmethod
    def _suggested(data: dict[str, Any]) -> list[str]:
        if not data["suggestions"]:
            return ["Suggested config changes: none."]
        out = ["Suggested config changes (paste under your YAML, merging with what is there):"]
        for number, item in enumerate(data["suggestions"], 1):
            out.append(f"  {number}. {item['why']}")
            out.extend(f"       {line}" for line in item["yaml"].splitlines())
            if item.get("alternative"):
                out.append("     or:")
                out.extend(f"       {line}" for line in item["alternative"].splitlines())
        return out


DECISION_COLUMNS = ("chat", "message_id", "date", "sender_id", "sender_name", "action",
                    "family", "score", "symbols", "excerpt")
DECISION_FORMATS = (".jsonl", ".csv")


def write_decisions(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """One row per decision at flag or above, as JSON lines or CSV by ``path``'s suffix
    (CSV symbols read ``AD_LINK=6 NEWCOMER_LINK=3``); returns the rows written."""
    suffix = path.suffix.lower()
    if suffix not in DECISION_FORMATS:
        raise ValueError(f"{path}: --decisions writes .jsonl or .csv, not {suffix or 'no suffix'}")
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle) if suffix == ".csv" else None
        if writer is not None:
            writer.writerow(DECISION_COLUMNS)
        for row in rows:
            if writer is None:
                handle.write(json.dumps({k: row[k] for k in DECISION_COLUMNS},
                                        ensure_ascii=False) + "\n")
            else:
                symbols = " ".join(f"{s}={v:g}" for s, v in row["symbols"].items())
                writer.writerow([symbols if k == "symbols" else row[k]
                                 for k in DECISION_COLUMNS])
            written += 1
    return written
