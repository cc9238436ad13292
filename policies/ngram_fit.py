"""Batch fitting of the n-gram model: cross-fitted L2 logistic regression, Platt-calibrated.

With enough examples of both classes the examples are cut into ``FOLDS`` parts by a hash of
their text (copies of one message stay together, so a repeated spam cannot grade itself). One
model is fitted per part left out; the weights kept are the mean of those models (a linear
model's average is one linear model, and it scores on the scale its parts had), and the scores
each part got from the model that never saw it calibrate the probability (Platt scaling).
The threshold a chat sets is therefore a probability learnt out of sample, whatever the size
and the spam share of its examples. Fewer examples: one fit on all of them, uncalibrated.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from policies.ngram_features import weighted

#: Weights smaller than this are dropped: they cannot move a decision.
_NEGLIGIBLE = 1e-4
FOLDS = 5
#: Each class needs this many examples before the model is cross-fitted and calibrated.
MIN_PER_CLASS = 25

#: Bucket ids, their weights, the bias, the calibration ``(a, b)`` and the prior's weight.
Fitted = tuple[
    npt.NDArray[np.uint32], npt.NDArray[np.float32], float, tuple[float, float], float
]


def design(rows: Sequence[npt.NDArray[np.uint64]], width: int) -> csr_matrix:
    """One row per message: log(1 + count) of each bucket, scaled to unit length."""
    pairs = [weighted(row) if row.size else (row, np.empty(0)) for row in rows]
    sizes = np.fromiter((keys.size for keys, _ in pairs), dtype=np.int64, count=len(pairs))
    indptr = np.concatenate(([0], np.cumsum(sizes)))
    if pairs:
        indices = np.concatenate([keys for keys, _ in pairs]).astype(np.int32)
        values = np.concatenate([values for _, values in pairs])
    else:
        indices, values = np.empty(0, np.int32), np.empty(0)
    return csr_matrix((values, indices, indptr), shape=(len(rows), width))


def _fit(matrix: csr_matrix, labels: npt.NDArray[np.bool_], c: float) -> LogisticRegression:
    model = LogisticRegression(
        C=c, solver="liblinear", class_weight="balanced", max_iter=2000, random_state=0
    )
    return model.fit(matrix, labels)


def _folds(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    return np.fromiter(
        (zlib.crc32(b"fold:" + t.encode("utf-8", "surrogatepass")) % FOLDS for t in texts),
        dtype=np.int64,
        count=len(texts),
    )


def _platt(scores: npt.NDArray[np.float64], labels: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """``a, b`` with P(spam) = σ(a·score + b) on out-of-fold scores; identity if degenerate."""
    model = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    model.fit(scores[:, None], labels)
    slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
    return (slope, intercept) if slope > 0 else (1.0, 0.0)


def fit_weights(
    rows: Sequence[npt.NDArray[np.uint64]],
    labels: Sequence[bool],
    *,
    width: int,
    c: float,
    keep: int,
    texts: Sequence[str] = (),
    prior: npt.NDArray[np.float64] | None = None,
) -> Fitted:
    """Sorted bucket ids, their weights, the bias, the calibration ``(a, b)``, the prior weight.

    ``texts`` (one per row) assign the cross-fitting parts; without them, or with fewer than
    ``MIN_PER_CLASS`` examples of a class, one model is fitted and left uncalibrated.
    ``prior`` (one per row: a seed model's log odds) is one more feature, past the buckets,
    whose weight is learnt with the rest: the chat's lessons decide how far to trust the seed.
    """
    matrix = design(rows, width)
    if prior is not None:
        column = csr_matrix(np.asarray(prior, dtype=np.float64)[:, None])
        matrix = hstack([matrix, column], format="csr")
    y = np.asarray(labels, dtype=bool)
    coef: npt.NDArray[np.float64]
    calibration = (1.0, 0.0)
    parts = _folds(texts) if len(texts) == len(rows) else None
    enough = min(int(y.sum()), int((~y).sum())) >= MIN_PER_CLASS
    if parts is not None and enough and all(
        0 < y[parts != k].sum() < (parts != k).sum() for k in range(FOLDS)
    ):
        scores = np.zeros(len(rows))
        coefs, biases = [], []
        for k in range(FOLDS):
            model = _fit(matrix[parts != k], y[parts != k], c)
            held = parts == k
            if held.any():
                scores[held] = model.decision_function(matrix[held])
            coefs.append(model.coef_.ravel())
            biases.append(float(model.intercept_[0]))
        coef, bias = np.mean(coefs, axis=0), float(np.mean(biases))
        calibration = _platt(scores, y)
    else:
        model = _fit(matrix, y, c)
        coef, bias = model.coef_.ravel(), float(model.intercept_[0])
    prior_weight = 0.0
    if prior is not None:
        prior_weight, coef = float(coef[width]), coef[:width]
    order = np.argsort(-np.abs(coef), kind="stable")[:keep]
    order = np.sort(order[np.abs(coef[order]) >= _NEGLIGIBLE])
    keys, weights = order.astype(np.uint32), coef[order].astype(np.float32)
    return keys, weights, bias, calibration, prior_weight
