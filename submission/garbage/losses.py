"""Losses over soft labels (so mixup and label smoothing compose with all of them).

Cost-weighted cross-entropy (3rd place's idea): a table gives each kind of
mistake a weight M[t, j] (1 on the diagonal, 1.0 for a mistake not listed).
The loss for true class t is -log(p_t / sum_j M[t, j] p_j): probability put on
a cheap mistake (weight 0.1) is barely punished. A uniform table makes the
denominator sum to 1, so the loss is exactly cross-entropy.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
from keras import ops

EPS = 1e-7


def cost_matrix(classes: list[str], table: Path | None) -> np.ndarray:
    """M[t, j] from a `true,predicted,weight` CSV; classes missing from it keep weight 1."""
    matrix = np.ones((len(classes), len(classes)), dtype="float32")
    if table is None:
        return matrix
    index = {name: i for i, name in enumerate(classes)}
    with table.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            t, p = index.get(row["true"]), index.get(row["predicted"])
            if t is not None and p is not None and t != p:
                matrix[t, p] = float(row["weight"])
    np.fill_diagonal(matrix, 1.0)
    return matrix


def mixup(
    x: np.ndarray, y: np.ndarray, alpha: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Mix each example with a random partner; soft labels mix the same way and sum to 1."""
    if alpha <= 0:
        return x, y
    lam = rng.beta(alpha, alpha, size=(len(x), 1)).astype("float32")
    partner = rng.permutation(len(x))
    lam_x = lam.reshape((-1,) + (1,) * (x.ndim - 1))
    return lam_x * x + (1 - lam_x) * x[partner], lam * y + (1 - lam) * y[partner]


def make_loss(
    costs: np.ndarray | None = None, focal_gamma: float = 0.0, label_smoothing: float = 0.0
) -> Callable:
    """loss(y_true soft labels, y_pred probabilities) -> per-example loss.

    focal_gamma > 0 gives the focal loss (down-weights examples already right);
    costs=None or a table of ones gives plain cross-entropy.
    """
    weights = None if costs is None or np.all(costs == 1.0) else ops.convert_to_tensor(costs)

    def loss(y_true, y_pred):
        y_true = ops.cast(y_true, "float32")
        if label_smoothing:
            n = ops.cast(ops.shape(y_true)[-1], "float32")
            y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
        p = ops.clip(ops.cast(y_pred, "float32"), EPS, 1.0)
        if weights is None:
            q = p
        else:
            # q[b, t] = p[b, t] / sum_j M[t, j] p[b, j]
            q = p / ops.maximum(ops.matmul(p, ops.transpose(weights)), EPS)
        q = ops.clip(q, EPS, 1.0)
        per_class = -ops.log(q)
        if focal_gamma:
            per_class = per_class * ops.power(1.0 - q, focal_gamma)
        return ops.sum(y_true * per_class, axis=-1)

    return loss
