"""Offline evaluation: TSV reading, rules vs rules + classifier, and the report format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.tools.eval_report import Score
from bot.tools.evaluate import (
    EvalInputError,
    in_test_split,
    read_labelled,
    run_cross_validation,
    run_eval,
    stratified_folds,
)
from policies.abuse import AbusePolicy
from policies.ads import AdsPolicy
from policies.classifier import ClassifierOptions, ClassifierPolicy, ModelBook


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_malformed_line_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "x.tsv", ["spam\thello", "no tab here"])
    with pytest.raises(EvalInputError, match=r"x\.tsv:2"):
        read_labelled(path)


def test_score_measures() -> None:
    score = Score(tp=8, fp=2, fn=2, tn=88)
    assert score.precision == pytest.approx(0.8)
    assert score.recall == pytest.approx(0.8)
    assert score.f1 == pytest.approx(0.8)
    assert score.n == 100


def test_rules_and_classifier_are_reported_separately(tmp_path: Path) -> None:
    spam = ["兼职刷单 日结 私聊我", "出售银行卡 私聊", "刷单兼职 日赚 私聊", "加我薇信 abc12345"]
    ham = ["今天下雨了记得带伞", "晚上一起吃饭吗", "周末去爬山吧", "谢谢大家的帮助"]
    train = write(
        tmp_path / "train.tsv",
        [f"spam\t{s}" for s in spam[:3]] * 10 + [f"ham\t{h}" for h in ham] * 10,
    )
    test = write(
        tmp_path / "test.tsv",
        [
            "spam\t兼职刷单 私聊我",
            "spam\t加我薇信 abc12345",
            "ham\t晚上一起去吃饭吧",
            "ham\t下雨了",
        ],
    )
    options = ClassifierOptions(min_examples=10, threshold=0.9, seed="none")
    classifier = ClassifierPolicy(options, ModelBook())
    report = run_eval(test, [train], [AdsPolicy(AdsPolicy.Options())], classifier)
    assert report.trained_on == 70
    assert (report.rules.tp, report.rules.fp, report.rules.fn) == (1, 0, 1)
    assert (report.combined.tp, report.combined.fp, report.combined.fn) == (2, 0, 0)
    last = json.loads(report.render().splitlines()[-1])
    assert last == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "n": 4, "fp_rate": 0.0}
    assert "rules + classifier" in report.table()


def test_abuse_deletions_are_reported_apart_from_spam_calls(tmp_path: Path) -> None:
    test = write(tmp_path / "test.tsv", ["ham\t你这个傻逼", "spam\t加我薇信 abc12345"])
    policies = [AdsPolicy(AdsPolicy.Options()), AbusePolicy(AbusePolicy.Options())]
    report = run_eval(test, [], policies, None, spam_policies=frozenset({"ads"}))
    assert (report.rules.tp, report.rules.fp) == (1, 0)
    assert report.other_deletions == (1, 0)
    assert "other policies deleted 1 ham" in report.table()


def test_development_split_is_stable_and_about_one_in_five() -> None:
    lines = [f"message number {i}" for i in range(2000)]
    held_out = [line for line in lines if in_test_split(line)]
    assert held_out == [line for line in lines if in_test_split(line)]
    assert 300 < len(held_out) < 500


SPAM_LINES = [f"兼职刷单 日结{n}元 私聊 wx{n:04d}" for n in range(30)]
HAM_LINES = [f"第{n}章的作业明天交，记得带课本" for n in range(30)]


def test_stratified_folds_keep_class_shares_and_copies_of_a_text_together() -> None:
    rows = [(True, s) for s in SPAM_LINES] + [(False, h) for h in HAM_LINES] * 2
    folds = stratified_folds(rows, 5)
    for k in range(5):
        assert sum(1 for (spam, _), f in zip(rows, folds, strict=True) if spam and f == k) == 6
    by_text: dict[str, set[int]] = {}
    for (_, text), fold in zip(rows, folds, strict=True):
        by_text.setdefault(text, set()).add(fold)
    assert all(len(seen) == 1 for seen in by_text.values())


def test_cross_validation_reports_each_file_then_the_pool(tmp_path: Path) -> None:
    first = write(tmp_path / "a.tsv", [f"spam\t{s}" for s in SPAM_LINES[:20]]
                  + [f"ham\t{h}" for h in HAM_LINES[:20]])
    second = write(tmp_path / "b.tsv", [f"spam\t{s}" for s in SPAM_LINES[20:]]
                   + [f"ham\t{h}" for h in HAM_LINES[20:]])

    def fresh() -> ClassifierPolicy:
        return ClassifierPolicy(ClassifierOptions(min_examples=10, seed="none"), ModelBook())

    reports = run_cross_validation([first, second], [AdsPolicy(AdsPolicy.Options())], fresh, 5)
    assert [r.test_path for r in reports] == [str(first), str(second), "all files"]
    assert [r.rules.n for r in reports] == [40, 20, 60]
    pooled = reports[-1]
    assert pooled.combined.recall > 0.9 and pooled.combined.fp == 0
    assert "5-fold cross-validation" in pooled.table() and "no seed" in pooled.table()


def test_cross_validation_adds_training_files_to_every_fold_but_judges_only_the_test_files(
        tmp_path: Path) -> None:
    test = write(tmp_path / "t.tsv", [f"spam\t{s}" for s in SPAM_LINES[:10]]
                 + [f"ham\t{h}" for h in HAM_LINES[:10]])
    more = [f"spam\t{s}" for s in SPAM_LINES[10:]] + [f"ham\t{h}" for h in HAM_LINES[10:]]
    extra = write(tmp_path / "more.tsv", [*more, f"ham\t{SPAM_LINES[0]}"])
    learnt: list[int] = []

    def fresh() -> ClassifierPolicy:
        policy = ClassifierPolicy(ClassifierOptions(min_examples=10, seed="none"), ModelBook())
        learnt.append(0)
        return policy

    reports = run_cross_validation([test], [AdsPolicy(AdsPolicy.Options())], fresh, 5,
                                   train=[extra])
    assert [r.test_path for r in reports] == [str(test)]
    assert reports[0].rules.n == 20  # the extra rows are learnt, never judged
    # Each fold learns the 40 extra rows (the one holding a judged text left out) and the
    # 16 rows of the other folds.
    assert reports[0].trained_on == 40 + 16
    assert "40 more training rows a fold (--train)" in reports[0].table()
    assert len(learnt) == 5


def test_a_ham_only_file_reports_its_false_positive_rate(tmp_path: Path) -> None:
    test = write(tmp_path / "ham.tsv", ["ham\t加我薇信 abc12345", "ham\t晚上一起吃饭吗",
                                        "ham\t周末去爬山吧", "ham\t谢谢大家的帮助"])
    report = run_eval(test, [], [AdsPolicy(AdsPolicy.Options())], None)
    assert report.combined.false_positive_rate == pytest.approx(0.25)
    assert "ham only: 1 of 4 ham messages deleted as spam" in report.table()
    assert json.loads(report.json_line())["fp_rate"] == 0.25


def test_eval_command_judges_with_the_builtin_seed_unless_training_files_are_given(
        tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import cli

    test = write(tmp_path / "t.tsv", ["spam\t兼职刷单 私聊我", "ham\t晚上一起去吃饭吧"])
    train = write(tmp_path / "train.tsv", [f"spam\t{s}" for s in SPAM_LINES]
                  + [f"ham\t{h}" for h in HAM_LINES])
    runner = CliRunner()
    seeded = runner.invoke(cli, ["eval", str(test)])
    assert seeded.exit_code == 0, seeded.output
    assert "classifier: the seed (builtin" in seeded.output
    trained = runner.invoke(cli, ["eval", str(test), "--train", str(train)])
    assert trained.exit_code == 0, trained.output
    assert "classifier trained on 60 (--train; no seed)" in trained.output
    refused = runner.invoke(cli, ["eval", str(test), "--folds", "1"])
    assert refused.exit_code == 2
    folded = runner.invoke(cli, ["eval", str(test), "--folds", "2", "--train", str(train)])
    assert folded.exit_code == 0, folded.output
    assert "60 more training rows a fold (--train)" in folded.output
