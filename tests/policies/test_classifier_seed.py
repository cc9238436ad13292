"""The seed model: shipped as weights only, judging on day one, adjusted by moderators' lessons."""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.i18n import t
from policies.classifier import ClassifierOptions, ClassifierPolicy, ModelBook
from policies.ngram import NgramModel
from policies.seed import BUILTIN, MAGIC, SEED_SCOPE, SeedModel, load_seed
from tests.policies.conftest import build_context, build_message

#: Day-one spam the rules do not catch (written for these tests, not from any corpus).
DAY_ONE_SPAM = {
    "ru": "Ребята, набираю людей на удалёнку, всему научу сама, пишите мне в лс",
    "en": "Looking for a few people for a remote crypto job, no experience needed, DM me",
    "zh": "宝妈学生党兼职，手机就能做，每天一两个小时，感兴趣的加V了解",
}
DAY_ONE_HAM = [
    "Ребята, кто знает, как настроить venv в PyCharm?",
    "Can someone DM me the link to yesterday's lecture notes?",
    "大家好，请问这个 pip 安装报错怎么解决？",
    "سلام، کسی می‌دونه چرا این کد خطا میده؟",
    "https://docs.python.org/3/library/asyncio-task.html",
]

SPAM_LINES = [f"兼职刷单 日结{n}元 加我薇信 wx{n:04d}" for n in range(40)]
HAM_LINES = [f"第{n}章的作业明天交，记得带课本" for n in range(40)]


def small_seed() -> SeedModel:
    rows = [(True, text) for text in SPAM_LINES] + [(False, text) for text in HAM_LINES]
    return SeedModel.train(rows, info={"source": "test"})


def test_seed_file_holds_weights_and_no_training_text() -> None:
    seed = small_seed()
    data = seed.to_bytes()
    assert data.startswith(MAGIC) and not data.startswith(b"\x80")  # not a pickle stream
    body = zlib.decompress(data[len(MAGIC):])
    assert "兼职".encode() not in body and "课本".encode() not in body
    again = SeedModel.from_bytes(data)
    text = "刷单兼职 加我薇信 wx9999"
    assert again.spam_probability(text) == pytest.approx(seed.spam_probability(text))
    assert again.digest == seed.digest


def test_corrupt_or_foreign_seed_bytes_are_rejected() -> None:
    with pytest.raises(ValueError, match="magic"):
        SeedModel.from_bytes(b"not a seed")
    data = small_seed().to_bytes()
    with pytest.raises(ValueError, match="corrupt"):
        SeedModel.from_bytes(data[:-10])


def test_builtin_seed_is_small_and_loads_within_half_a_second() -> None:
    assert BUILTIN.stat().st_size <= 5 * 1024 * 1024
    started = time.perf_counter()
    seed = SeedModel.load(BUILTIN)
    assert time.perf_counter() - started < 0.5
    assert seed.keys.size > 1000 and seed.prior_shift < 0


@pytest.mark.parametrize("language", sorted(DAY_ONE_SPAM))
def test_builtin_seed_deletes_day_one_spam_and_names_the_classifier(language: str) -> None:
    policy = ClassifierPolicy(ClassifierOptions(), book=ModelBook())
    text = DAY_ONE_SPAM[language]
    (verdict,) = policy.check(build_message(text), build_context())
    assert verdict.symbol == "SPAM_CLASSIFIER" and verdict.score >= 5.0
    assert "built-in spam classifier" in verdict.reason.en
    assert "内置垃圾消息分类器" in verdict.reason.zh


@pytest.mark.parametrize("text", DAY_ONE_HAM)
def test_builtin_seed_leaves_ordinary_chat_alone(text: str) -> None:
    policy = ClassifierPolicy(ClassifierOptions(), book=ModelBook())
    assert policy.check(build_message(text), build_context()) == []


def test_seed_alone_never_adds_the_suspect_score() -> None:
    options = ClassifierOptions(threshold=0.99, suspect_threshold=0.01)
    policy = ClassifierPolicy(options, book=ModelBook())
    assert policy.check(build_message(DAY_ONE_SPAM["zh"]), build_context()) == []


def test_seed_none_leaves_the_classifier_silent_until_taught() -> None:
    policy = ClassifierPolicy(ClassifierOptions(seed="none"), book=ModelBook())
    assert policy.seed is None
    assert policy.check(build_message(DAY_ONE_SPAM["en"]), build_context()) == []


def test_seed_from_a_labelled_tsv_is_trained_at_start_once(tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    path.write_text("".join(f"spam\t{s}\nham\t{h}\n" for s, h in zip(SPAM_LINES, HAM_LINES,
                                                                       strict=True)),
                    encoding="utf-8")
    policy = ClassifierPolicy(ClassifierOptions(seed=str(path)), book=ModelBook())
    assert policy.seed is not None and policy.seed is load_seed(str(path))
    assert policy.probability(build_message("刷单兼职 加我薇信 wx9999"), build_context()) > 0.9


def test_seed_option_accepts_builtin_none_or_an_existing_tsv(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"builtin, none or a labelled \.tsv"):
        ClassifierOptions(seed="bulitin")
    with pytest.raises(ValidationError, match="not found"):
        ClassifierOptions(seed=str(tmp_path / "missing.tsv"))


def test_a_chat_without_its_own_model_is_judged_by_the_seed() -> None:
    book = ModelBook()
    policy = ClassifierPolicy(ClassifierOptions(min_examples=50), book=book)
    book.learn("tg:-1001", "hello", False)  # far too few lessons to judge on its own
    scope, model = book.for_context(build_context(), min_examples=50) or ("", None)
    assert scope == SEED_SCOPE and model is policy.seed


def _taught(book: ModelBook, scope: str, extra: list[tuple[str, bool]]) -> NgramModel:
    for spam, ham in zip(SPAM_LINES, HAM_LINES, strict=True):
        book.learn(scope, spam, True)
        book.learn(scope, ham, False)
    for text, spam in extra:
        book.learn(scope, text, spam)
    model = book.model(scope)
    model.fit()
    return model


def test_a_chat_model_fitted_on_the_seed_scores_as_its_parts_in_one_table() -> None:
    seed = small_seed()
    model = _taught(ModelBook(seed), "tg:-1001", [])
    assert model.prior is seed
    text = "刷单 加我薇信 wx1234 第3章的作业"
    alone = NgramModel()
    alone._keys, alone._weights, alone._bias, alone._calibration = model.weights()
    slope, intercept = model._calibration
    raw_own = (alone.log_odds(text, refit=False) - intercept) / slope
    expected = slope * (raw_own + model._prior_weight * seed.log_odds(text)) + intercept
    assert model.log_odds(text, refit=False) == pytest.approx(expected, abs=1e-3)


def test_undoing_a_false_positive_of_the_seed_lowers_that_texts_probability() -> None:
    book = ModelBook()
    policy = ClassifierPolicy(ClassifierOptions(min_examples=50), book=book)
    # A legitimate group post that the seed takes for an offer (the rules do not flag it).
    wrong = "Набираю людей в команду на субботник, всему научу, пишите в лс"
    before = policy.probability(build_message(wrong), build_context())
    assert before is not None and before > 0.5
    _taught(book, "tg:-1001", [(wrong, False)])  # the moderator's undo teaches ham
    after = policy.probability(build_message(wrong), build_context())
    assert after is not None and after < before - 0.2


def test_a_model_saved_on_another_seed_is_fitted_again_on_load() -> None:
    first = small_seed()
    saved = _taught(ModelBook(first), "tg:-1001", []).to_bytes()
    other = SeedModel(first.keys, first.weights * 2, first.bias, first.calibration)
    book = ModelBook(other)
    book.load("tg:-1001", saved)
    model = book.model("tg:-1001")
    assert not model.fresh and not model.has_weights
    model.fit()
    assert model.fresh and model._prior_digest == other.digest


def test_the_seed_reason_is_bilingual() -> None:
    policy = ClassifierPolicy(ClassifierOptions(), book=ModelBook())
    (verdict,) = policy.check(build_message(DAY_ONE_SPAM["ru"]), build_context())
    assert verdict.reason == t(
        "Looks like spam to the built-in spam classifier ({p})",
        "内置垃圾消息分类器判断为垃圾消息（{p}）",
    ).format(p=verdict.reason.en.rsplit("(", 1)[1].rstrip(")"))


def test_a_misspelt_seed_is_refused_by_check_config_with_its_position(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import cli

    path = tmp_path / "q.yaml"
    path.write_text("defaults:\n  policies:\n    classifier:\n      mode: enforce\n"
                    "      seed: bulitin\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", str(path)])
    assert result.exit_code == 1
    assert f"{path}:5:7: defaults.policies.classifier.seed: seed must be builtin" in result.output


def test_the_example_config_names_the_builtin_seed() -> None:
    from bot.config import load_config

    config = load_config("config.example.yaml", env={})
    assert config.default.policies["classifier"].options["seed"] == "builtin"


def test_an_undone_seed_verdict_is_not_repeated_before_the_chat_has_a_model() -> None:
    book = ModelBook()
    policy = ClassifierPolicy(ClassifierOptions(min_examples=50), book=book)
    text = DAY_ONE_SPAM["en"]
    assert policy.check(build_message(text), build_context())  # the seed's call
    book.learn("tg:-1001", text, False)  # a moderator's undo: far too few lessons for a model
    assert policy.check(build_message(text), build_context()) == []
    assert policy.check(build_message(text), build_context(chat="tg:-1002"))  # not elsewhere
    book.learn("tg:-1001", text, True)  # taught spam again: the seed judges it again
    assert policy.check(build_message(text), build_context())


def test_lessons_restored_from_storage_keep_overruling_the_seed() -> None:
    book = ModelBook()
    book.learn("tg:-1001", DAY_ONE_SPAM["en"], False)
    again = ModelBook()
    again.load("tg:-1001", book.dump("tg:-1001"))
    policy = ClassifierPolicy(ClassifierOptions(min_examples=50), book=again)
    assert policy.check(build_message(DAY_ONE_SPAM["en"]), build_context()) == []
