"""report.json's shape as types (the page for people is docs/report.md).

TypedDicts rather than dataclasses: report.json is JSON, written with
`json.dumps` and read back from folders of every schema version, so the types
describe the dict every reader already holds instead of converting it.
`total=False` says what the readers must allow: a failed or older run may
lack a part, and readers show what is there.

Readers hold these types, not plain dicts, so a type checker names every read
of a key the schema lacks; tests/report/test_schema_readers.py runs mypy over
the readers for exactly that.
"""

from __future__ import annotations

from typing import TypedDict


class GivenResources(TypedDict, total=False):
    """What a phase was given (`details.resources`)."""

    gpu: bool
    cpus: list[int]
    note: str


class PhaseDetails(TypedDict, total=False):
    """A phase's extras (`phases.<phase>.details`); predict's limits and counts among them."""

    resources: GivenResources
    prepared: str
    prepare_s: float
    signal: int | None
    stopped_by_harness: bool
    log_cut: bool
    sample_error: str | None
    traceback: list[str]
    setup_limit_s: float
    per_image_limit_s: float
    request_timeout_s: float
    setup_s: float | None
    answered: int
    expected: int
    invalid_count: int
    invalid: list
    slow_count: int
    slowest_s: float | None
    stalled_id: str | None


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
    peak_gpu_memory_bytes: int | None
    gpu_memory_limit_bytes: int | None
    log_path: str | None
    log_tail: list[str]
    details: PhaseDetails


class LatencySection(TypedDict, total=False):
    count: int
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None
    mean: float | None
    limit: float
    over_limit: int


class ClassScore(TypedDict, total=False):
    correct: int
    total: int
    accuracy: float | None


class ConfusionSection(TypedDict, total=False):
    labels: list[str]
    matrix: list[list[int]]
    unanswered: list[int]


class ErrorCostSection(TypedDict, total=False):
    mean: float
    table: str
    rows: int


class ScoreSection(TypedDict, total=False):
    accuracy: float
    correct: int
    total: int
    answered: int
    per_class: dict[str, ClassScore]
    confusion: ConfusionSection
    error_cost: ErrorCostSection | None
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


class EnforcementSection(TypedDict, total=False):
    memory: bool
    network: bool
    read_only_data: bool
    gpu: bool
    gpu_memory: bool
    notes: list[str]


class RunnerSection(TypedDict, total=False):
    name: str
    chosen: str
    enforcement: EnforcementSection


class SubmissionSection(TypedDict, total=False):
    path: str
    name: str
    content_sha256: str
    predict_served: dict | None
    derived_manifest: dict | None


class Verdict(TypedDict, total=False):
    passed: bool
    reasons: list[str]


class FilesSection(TypedDict, total=False):
    """Each file of the run by its role, relative to the run folder (settings.run_layout)."""

    config: str
    resources: str
    answer_key: str
    predictions: str
    train_metrics: str
    train_log: str
    predict_log: str
    page: str


class RunReport(TypedDict, total=False):
    """The whole of report.json; `profile` holds the profile settings of settings/table.py."""

    schema_version: int
    run_id: str
    created: str
    harness_version: str
    profile: dict
    time_scale: float
    runner: RunnerSection
    submission: SubmissionSection
    data: DataSection
    phases: dict[str, PhaseEntry]  # by phase name: train, predict
    score: ScoreSection
    verdict: Verdict
    warnings: list[str]
    files: FilesSection
