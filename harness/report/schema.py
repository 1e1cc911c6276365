"""report.json's shape as types (the page for people is docs/report.md).

TypedDicts rather than dataclasses: report.json is JSON, written with
`json.dumps` and read back from folders of every schema version, so the types
describe the dict every reader already holds instead of converting it.
`total=False` says what the readers must allow: a failed or older run may
lack a part, and readers show what is there.
"""

from __future__ import annotations

from typing import TypedDict


class PhaseEntry(TypedDict, total=False):
    """One phase's outcome (`phases.train`, `phases.predict`)."""

    phase: str
    status: str
    reason: str
    wall_s: float
    limit_s: float | None
    exit_code: int | None
    peak_memory_bytes: int | None
    peak_working_set_bytes: int | None
    memory_limit_bytes: int | None
    log_path: str | None
    log_tail: list[str]
    details: dict


class LatencySection(TypedDict, total=False):
    count: int
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None
    mean: float | None
    limit: float
    over_limit: int


class ScoreSection(TypedDict, total=False):
    accuracy: float
    correct: int
    total: int
    answered: int
    per_class: dict[str, dict]
    confusion: dict
    error_cost: dict
    latency_ms: LatencySection


class DataSection(TypedDict, total=False):
    source: str
    classes: list[str]
    train_images: int
    test_images: int
    requested: dict
    scaled_down: bool
    warnings: list[str]
    skipped_files: list[dict]
    holdout: dict


class RunnerSection(TypedDict, total=False):
    name: str
    chosen: str
    enforcement: dict


class SubmissionSection(TypedDict, total=False):
    path: str
    name: str
    content_sha256: str


class Verdict(TypedDict, total=False):
    passed: bool
    reasons: list[str]


class RunReport(TypedDict, total=False):
    """The whole of report.json; `files` maps a file's role to its path in the run folder."""

    schema_version: int
    run_id: str
    created: str
    harness_version: str
    profile: dict
    time_scale: float
    runner: RunnerSection
    submission: SubmissionSection
    data: DataSection
    phases: dict[str, PhaseEntry]
    score: ScoreSection
    verdict: Verdict
    warnings: list[str]
    files: dict[str, str]
