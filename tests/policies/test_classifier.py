"""The n-gram model and the classifier policy that votes with its probability."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.decide import Scoring, decide
from bot.policy import ChatInfo
from bot.verdict import Action
from policies.ads import AdsOptions, AdsPolicy
from policies.classifier import ClassifierOptions, ClassifierPolicy, ModelBook
from policies.labelled import TsvError
from policies.ngram import NgramModel, buckets
from tests.policies.conftest import build_context, build_message

SPAM = [
    "低价出售游戏账号 联系我",
    "兼职刷单 日结 私聊",
    "出售银行卡 私聊我",
    "免费领取会员 点击领取",
    "cheap followers, dm me now",
    "刷单兼职 日赚三百 私聊",
]
HAM = [
    "今天下雨了记得带伞",
    "晚上一起吃饭吗",
    "这个问题我也不懂",
    "周末去爬山吧",
    "see you tomorrow at lunch",
    "谢谢大家的帮助",
]


def trained(repeat: int = 10) -> NgramModel:
    model = NgramModel()
    for _ in range(repeat):
        for text in SPAM:
            model.learn(text, True)
        for text in HAM:
            model.learn(text, False)
    return model


def test_model_learns_to_separate_spam_from_ham() -> None:
    model = trained()
    assert model.spam_probability("兼职刷单 私聊我") > 0.9
    assert model.spam_probability("明天一起吃饭吧") < 0.2


def test_a_prior_shift_moves_the_log_odds_by_its_size_until_the_next_fit() -> None:
    model = trained()
    before = model.log_odds("兼职刷单 私聊我")
    model.shift_prior(-2.0)
    assert model.log_odds("兼职刷单 私聊我") == pytest.approx(before - 2.0)
    model.learn("周末去爬山吧", False)
    model.fit()
    assert model.log_odds("兼职刷单 私聊我") > before - 1.0


def test_untrained_model_is_undecided() -> None:
    assert NgramModel().spam_probability("anything") == 0.5


def test_model_round_trips_through_bytes_without_pickle() -> None:
    model = trained()
    data = model.to_bytes()
    assert not data.startswith(b"\x80")  # not a pickle stream
    again = NgramModel.from_bytes(data)
    assert again.spam_probability("兼职刷单") == pytest.approx(model.spam_probability("兼职刷单"))


def test_garbage_bytes_are_rejected() -> None:
    with pytest.raises(ValueError):
        NgramModel.from_bytes(b"not a model")


def test_forget_undoes_a_learn() -> None:
    model = trained(1)
    before = model.spam_probability("晚上一起吃饭吗")
    model.learn("晚上一起吃饭吗", True)
    model.forget("晚上一起吃饭吗", True)
    assert model.spam_probability("晚上一起吃饭吗") == pytest.approx(before)


def test_policy_stays_silent_until_enough_examples() -> None:
    book = ModelBook()
    book.learn("tg:-1001", "兼职刷单 私聊", True)
    policy = ClassifierPolicy(ClassifierOptions(min_examples=50, seed="none"), book=book)
    assert policy.check(build_message("兼职刷单 私聊"), build_context()) == []


def test_policy_votes_with_its_probability_as_evidence() -> None:
    book = ModelBook()
    book.load("tg:-1001", trained().to_bytes())
    policy = ClassifierPolicy(ClassifierOptions(min_examples=10, threshold=0.9), book=book)
    verdicts = policy.check(build_message("兼职刷单 日结 私聊我"), build_context())
    assert [v.symbol for v in verdicts] == ["SPAM_CLASSIFIER"]
    probability = float(verdicts[0].evidence.removeprefix("p="))
    assert 0.9 <= probability <= 1.0
    assert 5.0 <= verdicts[0].score <= 8.0
    assert not verdicts[0].escalates  # a guess deletes; it never warns on its own


def test_chat_without_its_own_model_falls_back_to_global() -> None:
    book = ModelBook()
    book.load("global", trained().to_bytes())
    policy = ClassifierPolicy(ClassifierOptions(min_examples=10, threshold=0.9), book=book)
    assert policy.check(build_message("兼职刷单 私聊我"), build_context(chat="tg:-999"))


def test_network_scope_uses_the_chat_network_model() -> None:
    book = ModelBook()
    book.load("net-a", trained().to_bytes())
    ctx = build_context()
    ctx = type(ctx)(now=ctx.now, chat=ChatInfo(chat="tg:-5", network="net-a"), member=ctx.member)
    found = book.for_context(ctx, scope="network", min_examples=10)
    assert found is not None and found[0] == "net-a"


def test_bootstrap_reads_tsv_and_reports_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "seed.tsv"
    good.write_text("spam\t兼职刷单 私聊\nham\t晚上吃饭\n\n", encoding="utf-8")
    book = ModelBook()
    assert book.bootstrap_tsv(good) == 2
    assert book.model("global").examples == 2
    bad = tmp_path / "bad.tsv"
    bad.write_text("spam\tok\nmaybe\tnope\n", encoding="utf-8")
    with pytest.raises(TsvError, match=r"bad\.tsv:2"):
        book.bootstrap_tsv(bad)


def test_model_refits_when_moderators_add_labels() -> None:
    model = trained(3)
    before = model.spam_probability("周末一起去钓鱼")
    for _ in range(20):
        model.learn("周末一起去钓鱼 私聊", True)
    assert model.spam_probability("周末一起去钓鱼") > before


def test_examples_are_bounded_and_the_oldest_go_first() -> None:
    model = NgramModel(max_examples=10)
    for index in range(8):
        model.learn(f"spam number {index}", True)
    for index in range(7):
        model.learn(f"ham number {index}", False)
    assert model.examples == 10
    assert (model.spam_examples, model.ham_examples) == (3, 7)


def test_unfitted_model_round_trips_and_fits_after_loading() -> None:
    model = NgramModel()
    for text in SPAM:
        model.learn(text, True)
    for text in HAM:
        model.learn(text, False)
    again = NgramModel.from_bytes(model.to_bytes())
    assert again.examples == model.examples
    assert again.spam_probability("兼职刷单 私聊") == pytest.approx(
        model.spam_probability("兼职刷单 私聊")
    )


def test_hashed_features_are_the_same_in_another_process() -> None:
    import subprocess
    import sys

    text = "加我薇信 abc12345 兼职刷单"
    code = f"from policies.ngram import buckets; print(buckets({text!r}).tolist())"
    root = Path(__file__).resolve().parents[2]
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == str(buckets(text).tolist())


async def test_refit_runs_off_the_loop_and_scoring_keeps_the_old_weights_meanwhile() -> None:
    from policies.classifier import ModelBook

    book = ModelBook()
    for n in range(30):
        book.learn("s", f"加我薇信领取福利 {n} 免费送", True)
        book.learn("s", f"今天的课讲得很清楚 第{n}章 谢谢老师", False)
    model = book.model("s")
    assert await book.refit("s") and model.fresh and model.has_weights
    before = model.spam_probability("免费送福利 加薇信", refit=False)
    book.learn("s", "免费送福利 加薇信 马上领", False)  # a (mistaken) ham label
    assert not model.fresh
    assert model.spam_probability("免费送福利 加薇信", refit=False) == before  # no inline fit
    assert await book.refit("s") and model.fresh
    assert not await book.refit("s")


def test_model_saved_by_the_previous_format_keeps_its_examples_and_fits_again() -> None:
    import json
    import zlib

    model = trained(2)
    model.fit()
    header, rest = zlib.decompress(model.to_bytes()).split(b"\n", 1)
    old = json.loads(header)
    old["version"] = 3
    again = NgramModel.from_bytes(zlib.compress(json.dumps(old).encode() + b"\n" + rest))
    assert again.examples == model.examples and not again.fresh
    assert again.spam_probability("兼职刷单 私聊我") > 0.5


def test_cross_fitted_model_separates_unseen_messages() -> None:
    model = NgramModel()
    for n in range(40):  # enough of each class to cross-fit and calibrate
        model.learn(f"兼职刷单 日结{n}元 加微信 wx{n:04d}", True)
        model.learn(f"第{n}章的作业明天交，记得带课本", False)
    assert model.spam_probability("刷单兼职 加微信 wx9999") > 0.7
    assert model.spam_probability("第八章作业记得带课本") < 0.3


def _suspect_policy(text: str) -> ClassifierPolicy:
    """A policy whose suspect band holds ``text``'s probability and whose threshold is above it."""
    book = ModelBook()
    book.load("tg:-1001", trained().to_bytes())
    probability = book.model("tg:-1001").spam_probability(text)
    assert 0.2 < probability < 0.98
    options = ClassifierOptions(min_examples=10, threshold=min(0.99, probability + 0.01),
                                suspect_threshold=probability - 0.1, seed="none")
    return ClassifierPolicy(options, book=book)


def test_probability_below_threshold_adds_a_small_suspect_score_that_flags_nothing_alone() -> None:
    text = "兼职 周末去爬山 私聊"
    verdicts = _suspect_policy(text).check(build_message(text), build_context())
    assert [v.symbol for v in verdicts] == ["SPAM_CLASSIFIER_SUSPECT"]
    assert verdicts[0].evidence.startswith("p=")
    assert decide(verdicts, Scoring()).action is Action.ALLOW


def test_suspect_score_with_a_weak_rule_finding_reaches_delete() -> None:
    text = "兼职 周末去爬山 私聊 加我微信"
    message = build_message(text)
    weak = AdsPolicy(AdsOptions()).text_verdicts(message)
    assert [v.symbol for v in weak] == ["AD_CONTACT_WECHAT"]
    assert decide(weak, Scoring()).action < Action.DELETE
    suspect = _suspect_policy(text).check(message, build_context())
    assert decide(weak + suspect, Scoring()).action >= Action.DELETE


def test_suspect_band_must_sit_below_the_threshold() -> None:
    with pytest.raises(ValueError, match="suspect_threshold"):
        ClassifierOptions(threshold=0.7, suspect_threshold=0.8)
    assert ClassifierOptions(suspect_threshold=None).suspect_threshold is None


def test_the_suspect_band_starts_at_even_odds_so_a_model_leaning_ham_adds_nothing() -> None:
    text = "兼职 周末去爬山 私聊"
    book = ModelBook()
    book.load("tg:-1001", trained().to_bytes())
    probability = book.model("tg:-1001").spam_probability(text)
    assert ClassifierOptions().suspect_threshold == 0.5
    leaning_ham = ClassifierOptions(min_examples=10, threshold=0.99, seed="none",
                                    suspect_threshold=min(0.98, probability + 0.01))
    assert ClassifierPolicy(leaning_ham, book=book).check(build_message(text),
                                                          build_context()) == []
