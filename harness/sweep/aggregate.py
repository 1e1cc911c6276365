"""Statistics over a sweep's rehearsals: pure functions of their summaries.

A rehearsal that failed is counted and listed with its reason; where it has
no score it cannot enter the mean, and the aggregate says over how many
rehearsals the mean was taken, so nothing leaves the mean unseen.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from harness.report.compare import RunSummary
from harness.sweep.grid import Rehearsal


@dataclass(frozen=True)
class Outcome:
    """One rehearsal as it ended: its run's summary, or why there is no run."""

    rehearsal: Rehearsal
    run_dir: str | None
    summary: RunSummary | None
    error: str | None = None

    @property
    def verdict(self) -> str:
        """`passed`, the first failing phase's status (`train: timeout`), or `error`."""
        if self.summary is None:
            return "error"
        if self.summary.passed:
            return "passed"
        for phase, status in (
            ("train", self.summary.train_status),
            ("predict", self.summary.predict_status),
        ):
            if status != "ok":
                return f"{phase}: {status}"
        return "failed"

    @property
    def reason(self) -> str | None:
        """Why it did not pass, in the report's own words; None when it passed."""
        if self.summary is None:
            return self.error or "the rehearsal ended without a run folder"
        if self.summary.passed:
            return None
        return "; ".join(self.summary.reasons) or self.verdict


@dataclass(frozen=True)
class Spread:
    """Mean, standard error of the mean (None for one value), and range of n values."""

    n: int
    mean: float
    sem: float | None
    minimum: float
    maximum: float


def spread(values: Sequence[float]) -> Spread | None:
    """None for no values; the SEM uses the sample standard deviation (n - 1)."""
    if not values:
        return None
    n = len(values)
    mean = math.fsum(values) / n
    sem = None
    if n > 1:
        variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
        sem = math.sqrt(variance / n)
    return Spread(n, mean, sem, min(values), max(values))


@dataclass(frozen=True)
class VariantAggregate:
    """One (variant, profile) over its seeds."""

    variant: str
    profile: str
    rehearsals: int
    passed: int
    score: Spread | None
    train_s: Spread | None
    predict_s: Spread | None
    latency_p99_ms: Spread | None
    peak_memory_bytes: int | None
    verdicts: dict[str, int]
    failures: tuple[tuple[int, str], ...]


def _values(outcomes: Sequence[Outcome], field: str) -> list[float]:
    found = [getattr(o.summary, field) for o in outcomes if o.summary is not None]
    return [float(v) for v in found if v is not None]


def aggregate(outcomes: Sequence[Outcome]) -> list[VariantAggregate]:
    """Per (variant, profile), in the order the grid first named them."""
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for outcome in outcomes:
        key = (outcome.rehearsal.variant.name, outcome.rehearsal.profile)
        groups.setdefault(key, []).append(outcome)
    rows = []
    for (variant, profile), members in groups.items():
        peaks = [int(v) for v in _values(members, "peak_memory_bytes")]
        rows.append(
            VariantAggregate(
                variant=variant,
                profile=profile,
                rehearsals=len(members),
                passed=sum(o.verdict == "passed" for o in members),
                score=spread(_values(members, "score")),
                train_s=spread(_values(members, "train_s")),
                predict_s=spread(_values(members, "predict_s")),
                latency_p99_ms=spread(_values(members, "latency_p99_ms")),
                peak_memory_bytes=max(peaks, default=None),
                verdicts=dict(Counter(o.verdict for o in members)),
                failures=tuple(
                    (o.rehearsal.seed, o.reason) for o in members if o.reason is not None
                ),
            )
        )
    return rows
