"""Offline evaluation: run labelled messages through the content policies, report P/R/F1."""

from __future__ import annotations

import inspect
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from bot.config import LoadedConfig
from bot.decide import Scoring, decide
from bot.events import Kind, Message, Role, Segment, Sender
from bot.policy import ChatInfo, Context, MemberSnapshot, Policy
from bot.verdict import Action, Verdict
from policies.classifier import TsvError, read_tsv

EVAL_CHAT = "eval:chat"
EVAL_USER = "eval:member"
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


#: Policies whose verdicts answer "is this spam?". Other content policies (abuse, off-topic
#: filler) also delete messages, but by design and for other reasons: their deletions are
#: counted apart (``other_deletions``) instead of as spam calls.
SPAM_POLICIES = frozenset({"ads", "offers", "classifier"})


def in_test_split(text: str, folds: int = 5) -> bool:
    """The development split: a line is held out for testing when crc32(text) % folds == 0."""
    return zlib.crc32(text.encode("utf-8")) % folds == 0


#: The evaluation reads the same labelled TSV the classifier bootstraps from.
EvalInputError = TsvError
read_labelled = read_tsv


@dataclass(frozen=True, slots=True)
class Score:
    """Confusion counts and the derived measures."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, spam: bool, flagged: bool) -> Score:
        return Score(
            self.tp + (spam and flagged),
            self.fp + (not spam and flagged),
            self.fn + (spam and not flagged),
            self.tn + (not spam and not flagged),
        )


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Scores for rules alone and for rules + classifier on one test file."""

    test_path: str
    rules: Score
    combined: Score
    trained_on: int = 0
    #: Ham / spam messages deleted by non-spam policies (abuse, off-topic), not spam calls.
    other_deletions: tuple[int, int] = (0, 0)

    def table(self) -> str:
        lines = [
            f"{self.test_path}: {self.rules.n} messages, classifier trained on {self.trained_on}",
            f"{'':22}{'precision':>10}{'recall':>10}{'f1':>10}{'tp':>7}{'fp':>7}{'fn':>7}",
        ]
        for label, s in (("rules", self.rules), ("rules + classifier", self.combined)):
            lines.append(
                f"{label:22}{s.precision:10.3f}{s.recall:10.3f}{s.f1:10.3f}"
                f"{s.tp:7d}{s.fp:7d}{s.fn:7d}"
            )
        ham, spam = self.other_deletions
        if ham or spam:
            lines.append(f"not spam calls: other policies deleted {ham} ham and {spam} spam")
        return "\n".join(lines)

    def json_line(self) -> str:
        s = self.combined
        return json.dumps(
            {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
                "n": s.n,
            }
        )

    def render(self) -> str:
        """The printable report: the table, then the JSON line last."""
        return self.table() + "\n" + self.json_line()


def member_message(text: str, index: int = 0) -> Message:
    """``text`` as a plain message from an established member of the evaluation chat."""
    return Message(
        chat=EVAL_CHAT,
        message_id=str(index),
        sender=Sender(id=EVAL_USER, name="member", role=Role.MEMBER),
        date=_NOW,
        segments=(Segment(Kind.TEXT, text),) if text else (),
    )


def member_context(network: str = "") -> Context:
    """An established member: joined a year ago, 500 messages, no warns."""
    member = MemberSnapshot(
        user_id=EVAL_USER,
        role=Role.MEMBER,
        joined_at=_NOW - timedelta(days=365),
        first_seen=_NOW - timedelta(days=365),
        message_count=500,
    )
    return Context(now=_NOW, chat=ChatInfo(chat=EVAL_CHAT, network=network), member=member)


def _verdicts(policy: Policy, message: Message, ctx: Context) -> list[Verdict]:
    result = policy.check(message, ctx)
    if inspect.isawaitable(result):
        # Text-only evaluation: a policy that wants I/O here is closed, not awaited.
        closer = getattr(result, "close", None)
        if callable(closer):
            closer()
        return []
    return list(result)


def run_eval(
    test_path: str | Path,
    train_paths: Sequence[str | Path],
    policies: Sequence[Policy],
    classifier: Any | None,
    *,
    scoring: Scoring | None = None,
    spam_policies: frozenset[str] | None = None,
) -> EvalReport:
    """Train ``classifier`` (a ClassifierPolicy) on ``train_paths``, then score ``test_path``.

    A message counts as spam when the action decided on the verdicts of ``spam_policies``
    (all policies when None) is ``delete`` or harsher.
    """
    rows = read_labelled(test_path)
    trained = 0
    ctx = member_context()
    if classifier is not None:
        book = classifier.book
        for path in train_paths:
            for spam, text in read_labelled(path):
                book.learn(ctx.chat.chat, text, spam)
                trained += 1
    scoring = scoring or Scoring()
    rules, combined = Score(), Score()
    other = [0, 0]
    for index, (spam, text) in enumerate(rows):
        message = member_message(text, index)
        everything: list[Verdict] = []
        found: list[Verdict] = []
        for policy in policies:
            seen = _verdicts(policy, message, ctx)
            everything += seen
            if spam_policies is None or policy.name in spam_policies:
                found += seen
        by_rules = decide(found, scoring).action >= Action.DELETE
        if classifier is not None and not by_rules:
            found += _verdicts(cast(Policy, classifier), message, ctx)
        with_classifier = decide(found, scoring).action >= Action.DELETE
        if not with_classifier and decide(everything, scoring).action >= Action.DELETE:
            other[spam] += 1
        rules = rules.add(spam, by_rules)
        combined = combined.add(spam, with_classifier)
    return EvalReport(str(test_path), rules, combined, trained, (other[0], other[1]))


#: Policies whose judgement depends on chat history or membership, not on the text itself.
HISTORY_POLICIES = frozenset({"flood", "newcomer", "trust", "classifier", "business"})


def run_eval_with_config(
    test_path: str | Path, train_paths: Sequence[str | Path], config: LoadedConfig
) -> EvalReport:
    """``qunguan eval``: the default profile's content policies, its scoring, its classifier."""
    from bot.runtime import RuntimeBook, build_policies

    book = RuntimeBook(config)
    profile = config.default
    content = profile.model_copy(update={"policies": {
        name: entry for name, entry in profile.policies.items()
        if name not in HISTORY_POLICIES and entry.enabled}})
    policies = build_policies(content, book.registry)
    classifier = None
    entry = profile.policies.get("classifier")
    if entry is None or entry.enabled:
        factory = book.registry.get("classifier")
        options = factory.Options.model_validate(entry.options if entry else {})
        classifier = factory(options)
    scoring = book.get("eval:chat").scoring
    return run_eval(test_path, train_paths, policies, classifier,
                    scoring=replace(scoring, observe_policies=frozenset(), observe_chat=False),
                    spam_policies=SPAM_POLICIES)
