"""Offline evaluation: run labelled messages through the content policies, report P/R/F1.

The classifier judges with the configured seed (``classifier.seed``, the builtin one by
default) unless training files are given: then the seed is replaced by a model trained on them.
``run_cross_validation`` trains and tests over stratified folds of the given files instead.
"""

from __future__ import annotations

import inspect
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from bot.config import LoadedConfig
from bot.decide import Scoring, decide
from bot.events import Kind, Message, Role, Segment, Sender
from bot.policy import ChatInfo, Context, MemberSnapshot, Policy
from bot.verdict import Action, Verdict
from policies.classifier import ClassifierOptions, ClassifierPolicy, ModelBook
from policies.labelled import TsvError, read_tsv

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
    def false_positive_rate(self) -> float:
        """Share of ham deleted: the measure that still means something on a ham-only file."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn,
                     self.tn + other.tn)

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
    #: What the classifier judged with, e.g. "the builtin seed", "5-fold cross-validation".
    classifier: str = ""

    def table(self) -> str:
        model = self.classifier or f"classifier trained on {self.trained_on}"
        spam = self.rules.tp + self.rules.fn
        lines = [
            f"{self.test_path}: {self.rules.n} messages ({spam} spam), {model}",
            f"{'':22}{'precision':>10}{'recall':>10}{'f1':>10}{'tp':>7}{'fp':>7}{'fn':>7}"
            f"{'fp rate':>9}",
        ]
        for label, s in (("rules", self.rules), ("rules + classifier", self.combined)):
            precision = f"{s.precision:10.3f}" if s.tp + s.fp else f"{'-':>10}"
            recall = f"{s.recall:10.3f}" if s.tp + s.fn else f"{'-':>10}"
            f1 = f"{s.f1:10.3f}" if spam else f"{'-':>10}"
            lines.append(
                f"{label:22}{precision}{recall}{f1}{s.tp:7d}{s.fp:7d}{s.fn:7d}"
                f"{s.false_positive_rate:9.2%}"
            )
        if not spam:
            s = self.combined
            lines.append(f"ham only: {s.fp} of {s.fp + s.tn} ham messages deleted as spam "
                         f"(precision {'0.000' if s.fp else 'undefined: nothing flagged'})")
        ham, spam_other = self.other_deletions
        if ham or spam_other:
            lines.append(f"not spam calls: other policies deleted {ham} ham and {spam_other} spam")
        return "\n".join(lines)

    def json_line(self) -> str:
        s = self.combined
        return json.dumps(
            {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
                "n": s.n,
                "fp_rate": round(s.false_positive_rate, 4),
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
    rules, combined, other = score_rows(rows, policies, classifier, scoring=scoring,
                                        spam_policies=spam_policies)
    return EvalReport(str(test_path), rules, combined, trained, other)


def score_rows(
    rows: Sequence[tuple[bool, str]],
    policies: Sequence[Policy],
    classifier: Any | None,
    *,
    scoring: Scoring | None = None,
    spam_policies: frozenset[str] | None = None,
) -> tuple[Score, Score, tuple[int, int]]:
    """Rules alone, rules + classifier, and the other policies' (ham, spam) deletions."""
    ctx = member_context()
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
    return rules, combined, (other[0], other[1])


def stratified_folds(rows: Sequence[tuple[bool, str]], folds: int) -> list[int]:
    """A fold for each row: each class's distinct texts dealt round-robin in crc32 order, so
    the classes keep their shares in every fold and copies of a text never straddle two."""
    assigned = [0] * len(rows)
    for label in (True, False):
        texts = sorted({text for spam, text in rows if spam == label},
                       key=lambda text: (zlib.crc32(text.encode("utf-8", "surrogatepass")), text))
        fold_of = {text: rank % folds for rank, text in enumerate(texts)}
        for index, (spam, text) in enumerate(rows):
            if spam == label:
                assigned[index] = fold_of[text]
    return assigned


def run_cross_validation(
    paths: Sequence[str | Path],
    policies: Sequence[Policy],
    make_classifier: Callable[[], Any],
    folds: int,
    *,
    scoring: Scoring | None = None,
    spam_policies: frozenset[str] | None = None,
) -> list[EvalReport]:
    """Stratified ``folds``-fold cross-validation over the rows of all ``paths`` together.

    For each fold a fresh classifier (``make_classifier()``, no seed) learns the other folds
    and judges the held-out one; the reports are per file, then all files pooled.
    """
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    tagged = [(str(path), spam, text) for path in paths for spam, text in read_labelled(path)]
    parts = stratified_folds([(spam, text) for _, spam, text in tagged], folds)
    ctx = member_context()
    names = list(dict.fromkeys(str(path) for path in paths))
    rules = dict.fromkeys(names, Score())
    combined = dict.fromkeys(names, Score())
    other = dict.fromkeys(names, (0, 0))
    trained = 0
    for k in range(folds):
        classifier = make_classifier()
        if classifier is not None:
            model = classifier.book.model(ctx.chat.chat)
            model.learn_many((spam, text) for (_, spam, text), part
                             in zip(tagged, parts, strict=True) if part != k)
            trained = max(trained, model.examples)
            model.fit()
        for name in names:
            held = [(spam, text) for (source, spam, text), part in zip(tagged, parts, strict=True)
                    if part == k and source == name]
            r, c, o = score_rows(held, policies, classifier, scoring=scoring,
                                 spam_policies=spam_policies)
            rules[name], combined[name] = rules[name] + r, combined[name] + c
            other[name] = (other[name][0] + o[0], other[name][1] + o[1])
    about = f"classifier: {folds}-fold cross-validation over {len(names)} file(s), no seed"
    reports = [EvalReport(name, rules[name], combined[name], trained, other[name], about)
               for name in names]
    if len(names) > 1:
        reports.append(EvalReport(
            "all files", sum(rules.values(), Score()), sum(combined.values(), Score()), trained,
            (sum(o[0] for o in other.values()), sum(o[1] for o in other.values())), about))
    return reports


#: Policies whose judgement depends on chat history or membership, not on the text itself.
HISTORY_POLICIES = frozenset({"flood", "newcomer", "trust", "classifier", "business"})


def run_eval_with_config(
    test_paths: str | Path | Sequence[str | Path],
    train_paths: Sequence[str | Path],
    config: LoadedConfig,
    *,
    folds: int = 0,
) -> list[EvalReport]:
    """``qunguan eval``: the default profile's content policies, its scoring, its classifier.

    Without ``train_paths`` the classifier judges with the configured seed; with them, or with
    ``folds`` (cross-validation over ``test_paths``), a model trained on them replaces it.
    """
    from bot.runtime import RuntimeBook, build_policies

    tests = [test_paths] if isinstance(test_paths, str | Path) else list(test_paths)
    book = RuntimeBook(config)
    profile = config.default
    content = profile.model_copy(update={"policies": {
        name: entry for name, entry in profile.policies.items()
        if name not in HISTORY_POLICIES and entry.enabled}})
    policies = build_policies(content, book.registry)
    entry = profile.policies.get("classifier")
    enabled = entry is None or entry.enabled
    options = ClassifierOptions.model_validate(entry.options if entry else {})
    if train_paths or folds:
        options = options.model_copy(update={"seed": "none"})

    def make_classifier() -> ClassifierPolicy:
        return ClassifierPolicy(options, ModelBook())  # its own book: the bot's stays apart

    scoring = replace(book.get("eval:chat").scoring, observe_policies=frozenset(),
                      observe_chat=False)
    if folds:
        return run_cross_validation(tests, policies, make_classifier if enabled else _none,
                                    folds, scoring=scoring, spam_policies=SPAM_POLICIES)
    reports = []
    classifier = make_classifier() if enabled else None
    for index, test in enumerate(tests):
        report = run_eval(test, train_paths if index == 0 else [], policies, classifier,
                          scoring=scoring, spam_policies=SPAM_POLICIES)
        about = ""
        if classifier is None:
            about = "classifier disabled"
        elif not train_paths:
            seed = classifier.seed
            about = ("classifier: none (seed: none, no --train)" if seed is None else
                     f"classifier: the seed ({options.seed}, {seed.info.get('rows', '?')} rows)")
        else:
            trained = classifier.book.model(EVAL_CHAT).examples
            about = f"classifier trained on {trained} (--train; no seed)"
        reports.append(replace(report, classifier=about))
    return reports


def _none() -> None:
    return None
