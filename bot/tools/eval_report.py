"""The evaluation's figures: confusion counts (``Score``) and one file's report (``EvalReport``)."""

from __future__ import annotations

import json
from dataclasses import dataclass


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
