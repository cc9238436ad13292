"""Offline evaluation: run labelled messages through the content policies, report P/R/F1.

The classifier judges with the configured seed (``classifier.seed``, the builtin one by
default) unless training files are given: then the seed is replaced by a model trained on them.
``run_cross_validation`` trains and tests over stratified folds of the given files instead.
"""

from __future__ import annotations

import inspect
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from bot.config import LoadedConfig
from bot.decide import Scoring, decide
from bot.events import Kind, Message, Role, Segment, Sender
from bot.policy import ChatInfo, Context, MemberSnapshot, Policy
from bot.tools.eval_report import EvalReport, Score
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
    train: Sequence[str | Path] = (),
) -> list[EvalReport]:
    """Stratified ``folds``-fold cross-validation over the rows of all ``paths`` together.

    For each fold a fresh classifier (``make_classifier()``, no seed) learns the other folds
    and judges the held-out one; the reports are per file, then all files pooled.
    ``train`` files are more training data only: every fold learns their rows first (so the
    folds' own rows are the newest of a bounded model), never tests on them, and a row whose
    text is in ``paths`` is left out, so no judged text is ever learnt from them. Their spam
    share differs from the folds' own, and the model's probability is calibrated on what it
    learnt: its log odds are shifted back to the spam share of the folds it trained on
    (``NgramModel.shift_prior``), so the configured threshold means what it means without them.
    """
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    tagged = [(str(path), spam, text) for path in paths for spam, text in read_labelled(path)]
    extra = extra_rows(train, {text for _, _, text in tagged})
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
            model.learn_many(extra)
            own = [spam for (_, spam, _), part in zip(tagged, parts, strict=True) if part != k]
            model.learn_many((spam, text) for (_, spam, text), part
                             in zip(tagged, parts, strict=True) if part != k)
            trained = max(trained, model.examples)
            model.fit()
            if extra:
                model.shift_prior(_log_odds(sum(own), len(own))
                                  - _log_odds(model.spam_examples, model.examples))
        for name in names:
            held = [(spam, text) for (source, spam, text), part in zip(tagged, parts, strict=True)
                    if part == k and source == name]
            r, c, o = score_rows(held, policies, classifier, scoring=scoring,
                                 spam_policies=spam_policies)
            rules[name], combined[name] = rules[name] + r, combined[name] + c
            other[name] = (other[name][0] + o[0], other[name][1] + o[1])
    about = f"classifier: {folds}-fold cross-validation over {len(names)} file(s), no seed"
    if train:
        about += (f", {len(extra)} more training rows a fold (--train), calibrated to the "
                  "folds' spam share")
    reports = [EvalReport(name, rules[name], combined[name], trained, other[name], about)
               for name in names]
    if len(names) > 1:
        reports.append(EvalReport(
            "all files", sum(rules.values(), Score()), sum(combined.values(), Score()), trained,
            (sum(o[0] for o in other.values()), sum(o[1] for o in other.values())), about))
    return reports


def _log_odds(spam: int, total: int) -> float:
    """ln(spam / ham), each count at least one half (so a class never seen stays finite)."""
    return math.log(max(spam, 0.5) / max(total - spam, 0.5))


def extra_rows(paths: Sequence[str | Path], judged: set[str]) -> list[tuple[bool, str]]:
    """The rows of ``paths`` to add to every fold's training, without any text in ``judged``."""
    return [(spam, text) for path in paths for spam, text in read_labelled(path)
            if text not in judged]


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
    With both, ``train_paths`` are added to every fold's training data.
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
                                    folds, scoring=scoring, spam_policies=SPAM_POLICIES,
                                    train=train_paths)
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
