"""Pure summaries of a run's numbers, computed for the page and tested on fixed arrays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from harness.scoring.metrics import nearest_rank


@dataclass(frozen=True)
class ConfusedPair:
    """Images of class `true` answered as `predicted`."""

    true: str
    predicted: str
    count: int
    share_of_true: float


def most_confused_pairs(
    labels: Sequence[str], matrix: Sequence[Sequence[int]], limit: int = 10
) -> list[ConfusedPair]:
    """Off-diagonal cells of a confusion matrix (rows true, columns predicted), largest first.

    Ties keep the matrix order, so the table is stable from run to run.
    """
    counts = np.asarray(matrix, dtype=np.int64)
    if counts.ndim != 2 or counts.shape != (len(labels), len(labels)):
        return []
    row_totals = counts.sum(axis=1)
    pairs = [
        ConfusedPair(
            true=labels[i],
            predicted=labels[j],
            count=int(counts[i, j]),
            share_of_true=float(counts[i, j] / row_totals[i]),
        )
        for i in range(len(labels))
        for j in range(len(labels))
        if i != j and counts[i, j] > 0
    ]
    pairs.sort(key=lambda pair: -pair.count)
    return pairs[:limit]


def classes_in_pairs(pairs: Sequence[ConfusedPair]) -> list[str]:
    """The classes named by the pairs, in order of first appearance."""
    seen: dict[str, None] = {}
    for pair in pairs:
        seen.setdefault(pair.true)
        seen.setdefault(pair.predicted)
    return list(seen)


def sub_matrix(
    labels: Sequence[str], matrix: Sequence[Sequence[int]], keep: Sequence[str]
) -> np.ndarray:
    """The confusion matrix restricted to the rows and columns of `keep`."""
    index = [list(labels).index(name) for name in keep]
    return np.asarray(matrix, dtype=np.int64)[np.ix_(index, index)]


def latency_percentiles(latencies_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max of per-image latencies, nearest-rank as in the report; {} when none."""
    values = sorted(float(value) for value in latencies_ms)
    if not values:
        return {}
    return {
        name: nearest_rank(values, percent)
        for name, percent in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
    }


def budget_fraction(used_s: float | None, limit_s: float | None) -> float | None:
    """Share of a phase's limit it used (may pass 1.0 when killed late); None if unlimited."""
    if used_s is None or not limit_s:
        return None
    return float(used_s) / float(limit_s)


@dataclass(frozen=True)
class PhaseResources:
    """Peaks and means of one phase's resource samples; GPU fields None when never sampled."""

    samples: int
    peak_memory_bytes: int
    mean_cpu_percent: float
    peak_gpu_memory_bytes: int | None
    mean_gpu_utilization: float | None


def resources_by_phase(resources: Sequence[dict]) -> dict[str, PhaseResources]:
    """Group resources.jsonl samples by phase, in the order the phases appear."""
    grouped: dict[str, list[dict]] = {}
    for row in resources:
        grouped.setdefault(str(row.get("phase", "")), []).append(row)
    summary = {}
    for phase, rows in grouped.items():
        gpu_memory = [r["gpu_memory_bytes"] for r in rows if _is_number(r.get("gpu_memory_bytes"))]
        gpu_util = [r["gpu_utilization"] for r in rows if _is_number(r.get("gpu_utilization"))]
        memory = [r["memory_bytes"] for r in rows if _is_number(r.get("memory_bytes"))]
        cpu = [r["cpu_percent"] for r in rows if _is_number(r.get("cpu_percent"))]
        summary[phase] = PhaseResources(
            samples=len(rows),
            peak_memory_bytes=int(max(memory, default=0)),
            mean_cpu_percent=float(np.mean(cpu)) if cpu else 0.0,
            peak_gpu_memory_bytes=int(max(gpu_memory)) if gpu_memory else None,
            mean_gpu_utilization=float(np.mean(gpu_util)) if gpu_util else None,
        )
    return summary


# Metrics fields with a meaning of their own; any other field of a timed step describes it.
_STEP_FIELDS = {"stage", "seconds", "time", "epoch", "loss", "val_loss", "accuracy", "val_accuracy"}


@dataclass(frozen=True)
class TimedStep:
    """A metrics line carrying `seconds`: one step of training and how long it took."""

    stage: str
    detail: str  # the line's other fields, e.g. "backbone=efficientnet_lite0 copy=1"
    seconds: float
    rates: dict[str, float]  # its numeric fields named *_per_s, e.g. images_per_s


def timed_steps(metrics: Sequence[dict]) -> list[TimedStep]:
    """The metrics lines that say how long a step took, in file order."""
    steps = []
    for row in metrics:
        if not _is_number(row.get("seconds")):
            continue
        rates = {k: float(v) for k, v in row.items() if k.endswith("_per_s") and _is_number(v)}
        detail = " ".join(
            f"{key}={_field_text(value)}"
            for key, value in row.items()
            if key not in _STEP_FIELDS and key not in rates
        )
        steps.append(TimedStep(str(row.get("stage", "")), detail, float(row["seconds"]), rates))
    return steps


def _field_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "+".join(str(item) for item in value)
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
