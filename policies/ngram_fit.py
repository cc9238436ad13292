"""Batch fitting of the n-gram model: L2 logistic regression (liblinear) on hashed n-grams."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

#: Weights smaller than this are dropped: they cannot move a decision.
_NEGLIGIBLE = 1e-4


def fit_weights(
    rows: Sequence[npt.NDArray[np.uint64]],
    labels: Sequence[bool],
    *,
    width: int,
    c: float,
    keep: int,
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32], float]:
    """Sorted bucket ids, their weights and the bias, for rows of bucket ids (repeats count).

    Each row is scaled by 1/√(its length); the ``keep`` weights of largest magnitude are kept.
    """
    sizes = np.fromiter((row.size for row in rows), dtype=np.int64, count=len(rows))
    indptr = np.concatenate(([0], np.cumsum(sizes)))
    indices = np.concatenate(rows) if rows else np.empty(0, np.uint64)
    scale = np.repeat(1.0 / np.sqrt(np.maximum(sizes, 1)), sizes)
    matrix = csr_matrix((scale, indices.astype(np.int32), indptr), shape=(len(rows), width))
    matrix.sum_duplicates()
    model = LogisticRegression(
        C=c, solver="liblinear", class_weight="balanced", max_iter=2000, random_state=0
    )
    model.fit(matrix, np.asarray(labels, dtype=bool))
    coef = model.coef_.ravel()
    order = np.argsort(-np.abs(coef), kind="stable")[:keep]
    order = np.sort(order[np.abs(coef[order]) >= _NEGLIGIBLE])
    return order.astype(np.uint32), coef[order].astype(np.float32), float(model.intercept_[0])
