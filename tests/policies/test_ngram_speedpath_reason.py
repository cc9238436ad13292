"""The classifier's verdict reasons, kept by percentage, equal the templates formatted anew."""

from __future__ import annotations

import math
import random

import pytest

from bot.i18n import Text, t
from policies.classifier import _SPAM_REASON, _SUSPECT_REASON, _reason

SPAM = t("Looks like spam to the trained classifier ({p:.1%})", "分类器判断为垃圾消息（{p:.1%}）")
SUSPECT = t(
    "Somewhat likely spam to the trained classifier ({p:.1%})",
    "分类器认为可能是垃圾消息（{p:.1%}）",
)


def probabilities() -> list[float]:
    rng = random.Random(5)
    edges = [0.0, 1.0, 0.45, 0.7, 0.0005, 0.9995, 0.12345, 0.99949999, 0.99950001]
    edges += [math.nextafter(p, 2.0) for p in edges] + [math.nextafter(p, -1.0) for p in edges]
    return edges + [rng.random() for _ in range(20_000)]


@pytest.mark.parametrize(("kept", "template"), [(_SPAM_REASON, SPAM), (_SUSPECT_REASON, SUSPECT)])
def test_a_kept_reason_equals_the_template_formatted(kept: Text, template: Text) -> None:
    for probability in probabilities():
        assert _reason(kept, format(probability, ".1%")) == template.format(p=probability)


def test_one_reason_is_kept_per_percentage_shown() -> None:
    _reason.cache_clear()
    shown = {format(probability, ".1%") for probability in probabilities()}
    for probability in probabilities():
        _reason(_SPAM_REASON, format(probability, ".1%"))
    assert _reason.cache_info().currsize == len(shown) <= _reason.cache_info().maxsize
