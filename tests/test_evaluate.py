"""Offline evaluation: TSV reading, rules vs rules + classifier, and the report format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluate import EvalInputError, Score, in_test_split, read_labelled, run_eval
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
