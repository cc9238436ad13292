"""Scoring counts buckets in place: same log odds as sorting them, in any thread, table intact."""

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
def test_counting_in_place_gives_the_sorted_log_odds(model: NgramModel, limit: int) -> None:
    for text in TEXTS:
        assert model.log_odds(text, limit=limit) == pytest.approx(
            reference(model, text, limit), rel=1e-12, abs=1e-12
        )


def test_another_thread_scores_the_same_without_counting_in_the_table(
    model: NgramModel,
) -> None:
    here = [model.log_odds(text) for text in TEXTS]
    there: list[float] = []
    worker = threading.Thread(target=lambda: there.extend(map(model.log_odds, TEXTS)))
    worker.start()
    worker.join()
    assert there == pytest.approx(here, rel=1e-12, abs=1e-12)


def test_scoring_leaves_every_count_at_zero(model: NgramModel) -> None:
    for text in TEXTS:
        model.log_odds(text)
    assert model._table is not None
    table = model._table[0]
    assert not np.any(table & np.uint64(0xFFFFFFFF))
    weights = (table >> np.uint64(32)).astype(np.uint32).view(np.float32)
    assert np.array_equal(weights[model._keys], model._weights)


def test_a_text_without_features_scores_the_bias(model: NgramModel) -> None:
    slope, intercept = model._calibration
    assert model.log_odds("\u200b") == slope * model._bias + intercept
