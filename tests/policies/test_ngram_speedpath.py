"""The compiled scoring pass: same log odds as sorting the numpy buckets, in any thread."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from policies.ngram import NgramModel
from policies.ngram_features import BITS, buckets, counted
from tests.policies.test_classifier import trained

TEXTS = [
    "兼职刷单 私聊我",
    "明天一起吃饭吧",
    "aaaaaaaaaaaaaaaaaaaa 哈哈哈哈哈哈 1234 5678 https://x.com @someone_here",
    "ＦＴＡ６８９ᚰ看片 加我薇信 abc12345",
    "x",
    "再" * 1500,  # counts in the hundreds, past the default limit
    "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(1000)),
]


def reference(model: NgramModel, text: str, limit: int) -> float:
    """The log odds as the sorted unique buckets and two dot products give them."""
    slope, intercept = model._calibration
    found = buckets(text, limit=limit)
    if not found.size:
        return slope * model._bias + intercept
    weights = np.zeros(1 << BITS, dtype=np.float32)
    weights[model._keys] = model._weights
    unique, values = counted(found)
    total = float(weights[unique] @ values) / math.sqrt(float(values @ values))
    return slope * (model._bias + total) + intercept


@pytest.fixture(scope="module")
def model() -> NgramModel:
    fitted = trained()
    fitted.fit()
    return fitted


@pytest.mark.parametrize("limit", [5, 200, 1000])
def test_the_compiled_pass_gives_the_sorted_log_odds(model: NgramModel, limit: int) -> None:
    for text in TEXTS:
        assert model.log_odds(text, limit=limit) == pytest.approx(
            reference(model, text, limit), rel=1e-12, abs=1e-12
        )


def test_another_thread_scores_the_same(
    model: NgramModel,
) -> None:
    here = [model.log_odds(text) for text in TEXTS]
    there: list[float] = []
    worker = threading.Thread(target=lambda: there.extend(map(model.log_odds, TEXTS)))
    worker.start()
    worker.join()
    assert there == pytest.approx(here, rel=1e-12, abs=1e-12)


def test_scoring_leaves_the_weight_table_unchanged(model: NgramModel) -> None:
    for text in TEXTS:
        model.log_odds(text)
    assert model._table is not None
    assert np.count_nonzero(model._table) == np.count_nonzero(model._weights)
    assert np.array_equal(model._table[model._keys], model._weights)


def test_a_text_without_features_scores_the_bias(model: NgramModel) -> None:
    slope, intercept = model._calibration
    assert model.log_odds("\u200b") == slope * model._bias + intercept
