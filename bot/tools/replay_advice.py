"""What a replay's decisions say about the config: rates per family, flagged domains and
members, and config changes to suggest (each with the YAML to paste).

Pure functions over the rows ``ReplayStats`` collects (one per decision at flag or above).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.verdict import Action, family_of

#: A domain is suggested for the allowlist when flagged as a plain link (no other ad evidence
#: in the message) for at least this many distinct members…
DOMAIN_MEMBERS = 3
#: …and at most this share of its messages carried other ad evidence.
DOMAIN_DIRTY_SHARE = 0.10
#: Hosts never suggested: messenger and shortener hosts hide any destination behind them.
NEVER_ALLOW = frozenset({"t.me", "telegram.me", "telegram.dog", "wa.me", "bit.ly", "goo.gl",
                         "tinyurl.com", "t.co", "is.gd", "qr.net", "u.wechat.com"})
#: A symbol acting (delete or above) on at least this share of the messages, and at least
#: ``SYMBOL_MIN`` times, is suggested a lower score or observe mode.
SYMBOL_SHARE = 0.01
SYMBOL_MIN = 10
#: The plain-link symbol whose hosts the allowlist governs.
PLAIN_LINK = "AD_LINK"

_HOST = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?![a-z0-9-])")


def is_link_symbol(symbol: str) -> bool:
    """``AD_LINK`` and kin: the symbols whose evidence names a link."""
    return "LINK" in symbol.split("_")


def host_of(evidence: str) -> str:
    """The first host named in ``evidence`` (``https://www.x.org/a`` → ``x.org``), or ''."""
    found = _HOST.search(evidence.lower())
    return found.group(1).removeprefix("www.") if found else ""


def per_thousand(count: int, messages: int) -> float:
    return round(1000 * count / messages, 2) if messages else 0.0


def family_rates(families: Mapping[str, Counter[str]], messages: int
                 ) -> dict[str, dict[str, float]]:
    """Family → per-1,000-messages rates: every action, ``delete+`` and ``all``."""
    out: dict[str, dict[str, float]] = {}
    for family, actions in sorted(families.items(), key=lambda kv: -sum(kv[1].values())):
        rates = {label: per_thousand(n, messages) for label, n in actions.most_common()}
        strong = sum(n for label, n in actions.items() if Action.parse(label) >= Action.DELETE)
        rates["delete+"] = per_thousand(strong, messages)
        rates["all"] = per_thousand(sum(actions.values()), messages)
        out[family or "-"] = rates
    return out


def harm_rate(families: Mapping[str, Counter[str]], messages: int,
              harm: Iterable[str]) -> float:
    """Delete-or-stronger decisions per 1,000 messages attributed to the ``harm`` families."""
    wanted = set(harm)
    strong = sum(n for family, actions in families.items() if family in wanted
                 for label, n in actions.items() if Action.parse(label) >= Action.DELETE)
    return per_thousand(strong, messages)


@dataclass
class DomainTally:
    """One host seen in link symbols' evidence."""

    domain: str
    messages: int = 0
    members: set[str] = field(default_factory=set)
    plain_members: set[str] = field(default_factory=set)  # flagged only as a plain link
    with_other_ads: int = 0  # messages with other ad evidence beside the link

    def to_json(self) -> dict[str, Any]:
        return {"domain": self.domain, "messages": self.messages, "members": len(self.members),
                "plain_link_members": len(self.plain_members),
                "with_other_ad_evidence": self.with_other_ads}


def domains(rows: Iterable[Mapping[str, Any]]) -> list[DomainTally]:
    """Hosts in link symbols' evidence, most-flagged first (one count per message)."""
    tallies: dict[str, DomainTally] = {}
    for row in rows:
        evidence: Mapping[str, str] = row.get("evidence", {})
        symbols = list(row["symbols"])
        hosts = {h for s in symbols if is_link_symbol(s) and (h := host_of(evidence.get(s, "")))}
        other_ads = [s for s in symbols if family_of(s) == "AD" and s != PLAIN_LINK]
        plain = host_of(evidence.get(PLAIN_LINK, "")) if PLAIN_LINK in symbols else ""
        for host in hosts:
            tally = tallies.setdefault(host, DomainTally(host))
            tally.messages += 1
            tally.members.add(row["sender_id"])
            if other_ads:
                tally.with_other_ads += 1
            elif host == plain:
                tally.plain_members.add(row["sender_id"])
    return sorted(tallies.values(), key=lambda d: (-d.messages, d.domain))


def allowable(tallies: Iterable[DomainTally]) -> list[DomainTally]:
    """Domains to suggest for ``policies.ads.allowed_domains``."""
    return [d for d in tallies
            if d.domain not in NEVER_ALLOW and len(d.plain_members) >= DOMAIN_MEMBERS
            and d.with_other_ads <= DOMAIN_DIRTY_SHARE * d.messages]


def members(rows: Iterable[Mapping[str, Any]], limit: int = 10) -> list[dict[str, Any]]:
    """The most-flagged members: decisions, worst action, most frequent symbols."""
    count: Counter[str] = Counter()
    worst: dict[str, Action] = {}
    symbols: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for row in rows:
        user = row["sender_id"]
        count[user] += 1
        worst[user] = max(worst.get(user, Action.ALLOW), Action.parse(row["action"]))
        symbols[user].update(s for s, score in row["symbols"].items() if score > 0)
        names.setdefault(user, row.get("sender_name", ""))
    return [{"user": u, "name": names[u], "decisions": n, "worst": worst[u].label,
             "symbols": dict(symbols[u].most_common(3))} for u, n in count.most_common(limit)]


def suggestions(*, messages: int, rows: Sequence[Mapping[str, Any]],
                acted: Mapping[str, int], forced: Iterable[str], policies: Mapping[str, str],
                thresholds: Mapping[str, float]) -> list[dict[str, Any]]:
    """Config changes worth trying, each with why and the YAML to paste under ``defaults:``."""
    out: list[dict[str, Any]] = []
    allow = allowable(domains(rows))
    allowed = {d.domain for d in allow}
    if allow:
        names = ", ".join(sorted(allowed))
        out.append({
            "kind": "allowed_domains", "domains": sorted(allowed),
            "why": f"{len(allow)} domain(s) flagged as plain links for {DOMAIN_MEMBERS} or more "
                   f"members with no other ad evidence: " + ", ".join(
                       f"{d.domain} ({len(d.plain_members)} members, {d.messages} msgs)"
                       for d in allow) + "; allow them",
            "yaml": f"defaults:\n  policies:\n    ads:\n      allowed_domains: [{names}]",
        })
    spared = Counter(
        PLAIN_LINK for row in rows
        if PLAIN_LINK in row["symbols"] and Action.parse(row["action"]) >= Action.DELETE
        and host_of(row.get("evidence", {}).get(PLAIN_LINK, "")) in allowed)
    forced_set = set(forced)
    flag = thresholds.get("flag", 3.0)
    for symbol, n in sorted(acted.items(), key=lambda kv: -kv[1]):
        remaining = n - spared.get(symbol, 0)
        if not messages or remaining < max(SYMBOL_MIN, SYMBOL_SHARE * messages):
            continue
        share = f"{100 * remaining / messages:.1f} %"
        after = " after the allowed domains above" if spared.get(symbol) else ""
        policy = policies.get(symbol, "")
        observe = (f"defaults:\n  policies:\n    {policy}:\n      mode: observe"
                   if policy else "")
        if symbol in forced_set:  # a forced action ignores scores: only observe mode helps
            yaml, how = observe, f"put the {policy} policy in observe mode"
        else:
            yaml = (f"defaults:\n  scores: {{{symbol}: {flag:g}}}"
                    "   # flag only: logged, not acted on")
            how = f"lower its score to the flag threshold ({flag:g})"
            if observe:
                how += f", or put the {policy} policy in observe mode"
        out.append({"kind": "symbol", "symbol": symbol, "share": round(remaining / messages, 4),
                    "why": f"{symbol} acts on {remaining} of {messages} messages ({share}){after}; "
                           f"{how}", "yaml": yaml,
                    **({"alternative": observe} if observe and observe != yaml else {})})
    return out
