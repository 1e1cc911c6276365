"""Scoring: pure functions on plain lists, separate from running anything.

`truth[i]` is the label of test image i and `predicted[i]` the answer for it,
or None when no answer came. A missing answer is a wrong answer, as on the
platform: the score is over every test image.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

PredictedLabel = str | None  # a class name, or None when the image got no answer


def _check_lengths(truth: Sequence[str], predicted: Sequence[PredictedLabel]) -> None:
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} labels but {len(predicted)} answers")


def accuracy(truth: Sequence[str], predicted: Sequence[PredictedLabel]) -> tuple[int, int, float]:
    """(correct, total, top-1 accuracy x 100); 0.0 for an empty test set."""
    _check_lengths(truth, predicted)
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    total = len(truth)
    return correct, total, (100.0 * correct / total if total else 0.0)


def per_class_accuracy(
    truth: Sequence[str], predicted: Sequence[PredictedLabel], labels: Sequence[str]
) -> dict[str, dict]:
    """Per true class: correct, total and accuracy x 100 (None for a class with no images)."""
    _check_lengths(truth, predicted)
    counts = {label: [0, 0] for label in labels}
    for t, p in zip(truth, predicted, strict=True):
        counts[t][1] += 1
        counts[t][0] += t == p
    return {
        label: {
            "correct": correct,
            "total": total,
            "accuracy": round(100.0 * correct / total, 3) if total else None,
        }
        for label, (correct, total) in counts.items()
    }


def confusion(
    truth: Sequence[str], predicted: Sequence[PredictedLabel], labels: Sequence[str]
) -> tuple[list[list[int]], list[int]]:
    """(matrix[true][predicted] counts, per-true-class count of missing or unknown answers)."""
    _check_lengths(truth, predicted)
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    unanswered = [0] * len(labels)
    for t, p in zip(truth, predicted, strict=True):
        if p in index:
            matrix[index[t]][index[p]] += 1
        else:
            unanswered[index[t]] += 1
    return matrix, unanswered


def error_cost(
    truth: Sequence[str],
    predicted: Sequence[PredictedLabel],
    table: Mapping[tuple[str, str], float],
) -> float:
    """Mean cost per image: 0 when right, the table's weight when listed, else 1.0."""
    _check_lengths(truth, predicted)
    if not truth:
        return 0.0
    total = 0.0
    for t, p in zip(truth, predicted, strict=True):
        if t != p:
            total += table.get((t, p), 1.0) if p is not None else 1.0
    return total / len(truth)


def nearest_rank(sorted_values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile: always one of the observed values."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(percent / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(latencies_s: Sequence[float], limit_s: float | None) -> dict:
    """Latency in ms: count, p50/p95/p99/max/mean (None when empty), limit, over_limit."""
    ms = sorted(1000.0 * value for value in latencies_s)
    summary: dict = {"count": len(ms)}
    for name, percent in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
        summary[name] = round(nearest_rank(ms, percent), 3) if ms else None
    summary["mean"] = round(sum(ms) / len(ms), 3) if ms else None
    summary["limit"] = None if limit_s is None else round(1000.0 * limit_s, 3)
    summary["over_limit"] = 0 if limit_s is None else sum(1 for v in latencies_s if v > limit_s)
    return summary


def score(
    truth: Sequence[str],
    predicted: Sequence[PredictedLabel],
    latencies_s: Sequence[float],
    labels: Sequence[str],
    limit_s: float | None,
) -> dict:
    """The report's `score` section; `error_cost` is filled by the caller that has the table."""
    correct, total, acc = accuracy(truth, predicted)
    matrix, unanswered = confusion(truth, predicted, labels)
    return {
        "accuracy": round(acc, 3),
        "correct": correct,
        "total": total,
        "answered": sum(1 for p in predicted if p is not None),
        "per_class": per_class_accuracy(truth, predicted, labels),
        "confusion": {"labels": list(labels), "matrix": matrix, "unanswered": unanswered},
        "error_cost": None,
        "latency_ms": latency_summary(latencies_s, limit_s),
    }
