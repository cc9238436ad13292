"""Batch fitting of the n-gram model: L2 logistic regression (liblinear) on binary n-grams."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

#: Weights smaller than this are dropped from the table: they cannot move a decision.
_NEGLIGIBLE = 1e-4


def fit_weights(
    rows: Sequence[set[str]], labels: Sequence[bool], *, c: float, keep: int
) -> tuple[dict[str, float], float]:
    """Weights by n-gram and the bias, for rows of distinct n-grams with spam/ham labels.

    Each row is L2-normalised over all of its n-grams; the ``keep`` weights of largest
    magnitude are kept.
    """
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    data: list[float] = []
    for row in rows:
        for gram in row:
            indices.append(vocabulary.setdefault(gram, len(vocabulary)))
        indptr.append(len(indices))
        data.extend([1.0 / np.sqrt(len(row))] * len(row) if row else [])
    matrix = csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices), np.asarray(indptr)),
        shape=(len(rows), len(vocabulary)),
    )
    model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=2000,
                               random_state=0)
    model.fit(matrix, np.asarray(labels, dtype=bool))
    coef = model.coef_.ravel()
    order = np.argsort(-np.abs(coef))[:keep]
    order = order[np.abs(coef[order]) >= _NEGLIGIBLE]
    names = list(vocabulary)
    weights = {names[int(i)]: float(coef[i]) for i in order}
    return weights, float(model.intercept_[0])
