"""Compose verdicts into one decision: score overrides, family caps, trust, forced actions."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.quick import setter
from bot.verdict import Action, Decision, Verdict, family_of

#: Ladder thresholds, as in rspamd's actions.conf: the highest action whose threshold the
#: total score reaches wins. Missing actions are never chosen by score (only forced).
DEFAULT_THRESHOLDS: Mapping[Action, float] = {
    Action.FLAG: 3.0,
    Action.DELETE: 5.0,
    Action.WARN: 6.0,
    Action.MUTE: 12.0,
    Action.KICK: 20.0,
    Action.BAN: 30.0,
}
_WITH_SCORE = setter(Verdict, "score")


@dataclass(frozen=True, slots=True)
class Scoring:
    """How much each symbol matters and what each total means."""

    thresholds: Mapping[Action, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    symbol_scores: Mapping[str, float] = field(default_factory=dict)
    family_caps: Mapping[str, float] = field(default_factory=dict)
    observe_policies: frozenset[str] = frozenset()
    observe_chat: bool = False

    def __post_init__(self) -> None:
        check_monotonic(self.thresholds)


def check_monotonic(thresholds: Mapping[Action, float]) -> None:
    """Reject ladders where a harsher action has a lower threshold (``warn: 10, kick: 5``)."""
    ordered = sorted(thresholds.items())
    for (low, low_score), (high, high_score) in itertools.pairwise(ordered):
        if high_score <= low_score:
            raise ValueError(
                f"thresholds must increase along the ladder: {high.label} ({high_score}) "
                f"must be above {low.label} ({low_score})"
            )
    if Action.ALLOW in thresholds:
        raise ValueError("'allow' has no threshold: it is what happens below 'flag'")


def _weigh(verdicts: Iterable[Verdict], scoring: Scoring) -> tuple[float, list[Verdict]]:
    totals: dict[str, float] = {}
    factors: dict[str, float] = {}
    kept: list[Verdict] = []
    for verdict in verdicts:
        score = scoring.symbol_scores.get(verdict.symbol, verdict.score)
        if score != verdict.score:
            verdict = _WITH_SCORE(verdict, score)
        kept.append(verdict)
        family = family_of(verdict.symbol)
        totals[family] = totals.get(family, 0.0) + score
        for amplified, factor in verdict.amplify:
            factors[amplified] = factors.get(amplified, 1.0) * factor
    total = _total(totals, scoring.family_caps)
    if factors and any(v > 0 for v in totals.values()):  # suspicion scales evidence, never
        # creates it (no evidence: the scaled totals are the totals, not summed again)
        scaled = _total({f: v * factors.get(f, 1.0) if v > 0 else v for f, v in totals.items()},
                        scoring.family_caps)
        if scaled > total:  # carries weak evidence up to delete, never further by itself
            ceiling = scoring.thresholds.get(Action.DELETE, total)
            scaled = min(scaled, max(total, ceiling))
        total = scaled
    return total, kept


def _total(totals: Mapping[str, float], caps: Mapping[str, float]) -> float:
    """Each family capped on its own, then every joint cap ("AD+SPAM": one ad that both the
    rules and the classifier see is still one offence) over the sum of its families."""
    capped: dict[str, float] = {}
    for family, value in totals.items():
        cap = caps.get(family)
        capped[family] = min(value, cap) if cap is not None and value > 0 else value
    for key, cap in caps.items():
        if "+" in key:
            members = [f for f in key.split("+") if capped.get(f, 0.0) > 0]
            joint = sum(capped[f] for f in members)
            if joint > cap:
                for family in members:  # scaled down together, so the sum is the cap
                    capped[family] *= cap / joint
    return sum(capped.values())


def _by_score(total: float, thresholds: Mapping[Action, float]) -> Action:
    chosen = Action.ALLOW
    for action, threshold in sorted(thresholds.items()):
        if total >= threshold:
            chosen = action
    return chosen


def _compose(verdicts: list[Verdict], scoring: Scoring) -> tuple[Action, float, str, list[Verdict]]:
    total, kept = _weigh(verdicts, scoring)
    action = _by_score(total, scoring.thresholds)
    if action > Action.DELETE and any(not v.escalates for v in kept):
        # hints delete; a sanction needs specific evidence that reaches it on its own (a
        # community's announcement with a phone number, a link and a classifier guess is
        # deleted at worst, and counts toward no one's warns)
        specific, _ = _weigh([v for v in kept if v.escalates], scoring)
        action = min(action, max(Action.DELETE, _by_score(specific, scoring.thresholds)))
    forced_by = ""
    for verdict in kept:
        if verdict.force is not None and verdict.force > action:
            action, forced_by = verdict.force, verdict.symbol
    return action, total, forced_by, kept


def decide(verdicts: Iterable[Verdict], scoring: Scoring) -> Decision:
    """One decision for one message.

    Verdicts of policies in observe mode are weighed separately: they shape ``shadow_action``
    (what would have happened) but never the real action. A chat in observe mode gets a
    decision with ``observe=True`` that the enforcer logs and does not act on.
    """
    active: list[Verdict] = []
    observed: list[Verdict] = []
    for verdict in verdicts:
        (observed if verdict.policy in scoring.observe_policies else active).append(verdict)
    if not active and not observed:
        return Decision(Action.ALLOW, 0.0, observe=scoring.observe_chat)

    action, total, forced_by, kept = _compose(active, scoring)
    # nothing observed: the shadow decision is the real one (composing is pure)
    shadow_action, _, _, kept_all = (_compose(active + observed, scoring) if observed
                                     else (action, total, forced_by, kept))
    acting = [v for v in kept if v.score > 0 or v.force is not None or v.reply is not None]
    mutes = [v.mute_seconds for v in acting if v.mute_seconds]
    sanctioning = [v for v in acting if v.score > 0 or v.force is not None]
    return Decision(
        action=action,
        score=total,
        verdicts=tuple(kept),
        forced_by=forced_by,
        observe=scoring.observe_chat,
        replies=tuple(v.reply for v in kept if v.reply is not None),
        mute_seconds=max(mutes) if mutes else None,
        silent=bool(sanctioning) and all(v.silent for v in sanctioning),
        observed=tuple(v for v in kept_all if v.policy in scoring.observe_policies),
        shadow_action=shadow_action,
        held=action == Action.DELETE and _by_score(total, scoring.thresholds) > action,
    )
