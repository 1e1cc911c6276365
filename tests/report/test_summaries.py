"""Pure summaries behind the page, on small fixed arrays."""

from __future__ import annotations

from harness.report.summaries import (
    ConfusedPair,
    budget_fraction,
    classes_in_pairs,
    latency_percentiles,
    most_confused_pairs,
    resources_by_phase,
    sub_matrix,
    timed_steps,
)
from harness.report.units import format_bytes, format_seconds

LABELS = ["充电器", "充电线", "纸箱"]
MATRIX = [[5, 3, 0], [1, 6, 1], [0, 3, 2]]


def test_most_confused_pairs_are_ordered_by_count_then_matrix_order():
    pairs = most_confused_pairs(LABELS, MATRIX)

    assert pairs == [
        ConfusedPair("充电器", "充电线", 3, 3 / 8),
        ConfusedPair("纸箱", "充电线", 3, 3 / 5),
        ConfusedPair("充电线", "充电器", 1, 1 / 8),
        ConfusedPair("充电线", "纸箱", 1, 1 / 8),
    ]
    assert most_confused_pairs(LABELS, MATRIX, limit=1) == pairs[:1]


def test_no_confusions_and_malformed_matrices_give_no_pairs():
    assert most_confused_pairs(["a", "b"], [[3, 0], [0, 4]]) == []
    assert most_confused_pairs(["a", "b"], [[3, 0, 1]]) == []
    assert most_confused_pairs([], []) == []


def test_sub_matrix_keeps_the_named_classes_in_the_given_order():
    pairs = most_confused_pairs(LABELS, MATRIX, limit=2)
    keep = classes_in_pairs(pairs)

    assert keep == ["充电器", "充电线", "纸箱"]
    assert sub_matrix(LABELS, MATRIX, ["纸箱", "充电器"]).tolist() == [[2, 0], [0, 5]]


def test_latency_percentiles():
    values = list(range(1, 101))

    result = latency_percentiles(values)

    assert result == {"p50": 50, "p95": 95, "p99": 99, "max": 100}  # nearest-rank, as the report
    assert latency_percentiles([]) == {}


def test_budget_fraction():
    assert budget_fraction(30, 60) == 0.5
    assert budget_fraction(90, 60) == 1.5
    assert budget_fraction(30, None) is None
    assert budget_fraction(None, 60) is None


def test_resources_by_phase_peaks_and_means():
    rows = [
        {"t": 0, "phase": "train", "memory_bytes": 10, "cpu_percent": 100.0},
        {
            "t": 1,
            "phase": "train",
            "memory_bytes": 30,
            "cpu_percent": 50.0,
            "gpu_memory_bytes": 7,
            "gpu_utilization": 40.0,
        },
        {
            "t": 2,
            "phase": "predict",
            "memory_bytes": 20,
            "cpu_percent": 10.0,
            "gpu_memory_bytes": None,
            "gpu_utilization": None,
        },
    ]

    result = resources_by_phase(rows)

    assert list(result) == ["train", "predict"]
    assert result["train"].peak_memory_bytes == 30
    assert result["train"].mean_cpu_percent == 75.0
    assert result["train"].peak_gpu_memory_bytes == 7
    assert result["train"].mean_gpu_utilization == 40.0
    assert result["predict"].peak_gpu_memory_bytes is None


def test_units():
    assert format_bytes(None) == "–"
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(3 * 2**30) == "3.0 GiB"
    assert format_bytes(5000 * 2**30) == "5000.0 GiB"
    assert format_seconds(4.24) == "4.2s"
    assert format_seconds(83) == "1m23s"
    assert format_seconds(10800) == "3h00m"
    assert format_seconds(None) == "–"


def test_timed_steps_are_the_lines_with_seconds_their_rates_and_other_fields():
    metrics = [
        {"stage": "head", "epoch": 1, "loss": 0.9, "val_accuracy": 0.5, "time": 1.0},
        {"stage": "decode", "images": 120, "seconds": 4.9, "images_per_s": 24.3, "time": 2.0},
        {"stage": "export", "members": ["a", "b"], "seconds": 0.6, "val_accuracy": 0.7},
        {"stage": "broken", "seconds": "soon"},
        {"seconds": 2, "bytes_per_s": None},
    ]

    steps = timed_steps(metrics)

    assert [(s.stage, s.detail, s.seconds, s.rates) for s in steps] == [
        ("decode", "images=120", 4.9, {"images_per_s": 24.3}),
        ("export", "members=a+b", 0.6, {}),
        ("", "bytes_per_s=None", 2.0, {}),
    ]
