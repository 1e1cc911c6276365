"""Scoring on small fixed arrays with hand-computed answers."""

from __future__ import annotations

import pytest

from harness.scoring.metrics import (
    accuracy,
    confusion,
    error_cost,
    latency_summary,
    nearest_rank,
    per_class_accuracy,
    score,
)

LABELS = ["a", "b", "c"]
TRUTH = ["a", "a", "a", "b", "b", "c"]
PREDICTED = ["a", "b", None, "b", "zz", "a"]  # 2 right, 1 missing, 1 unknown label


def test_accuracy_counts_missing_and_unknown_answers_as_wrong() -> None:
    correct, total, value = accuracy(TRUTH, PREDICTED)
    assert (correct, total) == (2, 6)
    assert value == pytest.approx(100 * 2 / 6)
    assert accuracy([], []) == (0, 0, 0.0)
    with pytest.raises(ValueError):
        accuracy(["a"], [])


def test_per_class_accuracy() -> None:
    assert per_class_accuracy(TRUTH, PREDICTED, LABELS + ["d"]) == {
        "a": {"correct": 1, "total": 3, "accuracy": 33.333},
        "b": {"correct": 1, "total": 2, "accuracy": 50.0},
        "c": {"correct": 0, "total": 1, "accuracy": 0.0},
        "d": {"correct": 0, "total": 0, "accuracy": None},
    }


def test_confusion_rows_are_truth_columns_are_answers() -> None:
    matrix, unanswered = confusion(TRUTH, PREDICTED, LABELS)
    assert matrix == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]
    assert unanswered == [1, 1, 0]


def test_error_cost_uses_the_table_and_one_for_the_rest() -> None:
    table = {("a", "b"): 0.1, ("c", "a"): 0.6}
    # a->a 0, a->b 0.1, a->None 1, b->b 0, b->zz 1 (not listed), c->a 0.6
    assert error_cost(TRUTH, PREDICTED, table) == pytest.approx((0.1 + 1 + 1 + 0.6) / 6)
    assert error_cost([], [], table) == 0.0


def test_nearest_rank_percentiles_are_observed_values() -> None:
    values = [float(v) for v in range(1, 11)]  # 1..10
    assert nearest_rank(values, 50) == 5.0
    assert nearest_rank(values, 95) == 10.0
    assert nearest_rank(values, 0) == 1.0
    assert nearest_rank([7.0], 99) == 7.0


def test_latency_summary_in_ms_against_the_limit() -> None:
    latencies = [0.010, 0.020, 0.030, 0.600, 0.040]
    summary = latency_summary(latencies, 0.5)
    assert summary == {
        "count": 5,
        "p50": 30.0,
        "p95": 600.0,
        "p99": 600.0,
        "max": 600.0,
        "mean": 140.0,
        "limit": 500.0,
        "over_limit": 1,
    }
    empty = latency_summary([], 0.5)
    assert empty["count"] == 0 and empty["p50"] is None and empty["over_limit"] == 0


def test_score_section_has_every_documented_field() -> None:
    section = score(TRUTH, PREDICTED, [0.1, 0.2, 0.3, 0.4, 0.5], LABELS, 0.25)
    assert section["accuracy"] == 33.333 and section["answered"] == 5
    assert section["confusion"]["labels"] == LABELS
    assert section["latency_ms"]["over_limit"] == 3
    assert section["error_cost"] is None
