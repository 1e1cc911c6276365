"""Averaging members' probabilities with weights from their validation accuracy."""

from __future__ import annotations

import numpy as np


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    if len(labels) == 0:
        return 0.0
    return float(np.mean(np.argmax(probs, axis=1) == labels))


def member_weights(val_accuracies: list[float]) -> np.ndarray:
    """Proportional to validation accuracy; equal when all are zero."""
    acc = np.asarray(val_accuracies, dtype="float64")
    if acc.sum() <= 0:
        return np.full(len(acc), 1.0 / len(acc))
    return acc / acc.sum()


def combine(probs: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    return np.tensordot(np.asarray(weights), np.stack(probs), axes=1)
