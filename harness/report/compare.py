"""Runs side by side: which change helped, which one blew the budget.

A competitor tries backbones and settings on the tune profile and keeps the
best; this puts the numbers that decide it (score, time per phase, peak
memory, p99 latency, verdict) in one table, on the terminal and as a page.
Runs are columns, so two runs read like a diff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError
from harness.report import html, plots, summaries
from harness.report.run_folder import RunFolder, load_run
from harness.report.units import MISSING, format_bytes, format_seconds


@dataclass(frozen=True)
class RunSummary:
    """The numbers of one run that a comparison shows; None where the run has none."""

    run_id: str
    profile: str
    submission: str
    passed: bool
    reasons: tuple[str, ...]
    score: float | None
    train_status: str
    train_s: float | None
    train_limit_s: float | None
    predict_status: str
    predict_s: float | None
    peak_memory_bytes: int | None
    peak_working_set_bytes: int | None
    peak_gpu_memory_bytes: int | None
    latency_p99_ms: float | None
    latency_limit_ms: float | None


def summarize(run: RunFolder) -> RunSummary:
    """Pull the compared numbers out of a loaded run folder."""
    train, predict = run.phase("train"), run.phase("predict")
    latency = run.score.get("latency_ms") or {}
    peaks = _phase_values((train, predict), "peak_memory_bytes")
    working_sets = _phase_values((train, predict), "peak_working_set_bytes")
    gpu_peaks = [
        numbers.peak_gpu_memory_bytes
        for numbers in summaries.resources_by_phase(run.resources).values()
        if numbers.peak_gpu_memory_bytes is not None
    ]
    return RunSummary(
        run_id=run.run_id,
        profile=str((run.report.get("profile") or {}).get("name", MISSING)),
        submission=str((run.report.get("submission") or {}).get("name", MISSING)),
        passed=bool(run.verdict.get("passed")),
        reasons=tuple(str(reason) for reason in run.verdict.get("reasons") or []),
        score=_float(run.score.get("accuracy")),
        train_status=str(train.get("status", MISSING)),
        train_s=_float(train.get("wall_s")),
        train_limit_s=_float(train.get("limit_s")),
        predict_status=str(predict.get("status", MISSING)),
        predict_s=_float(predict.get("wall_s")),
        peak_memory_bytes=max(peaks, default=None),
        peak_working_set_bytes=max(working_sets, default=None),
        peak_gpu_memory_bytes=max(gpu_peaks, default=None),
        latency_p99_ms=_float(latency.get("p99")),
        latency_limit_ms=_float(latency.get("limit")),
    )


def _phase_values(phases: Sequence[dict], key: str) -> list[int]:
    return [phase[key] for phase in phases if isinstance(phase.get(key), int)]


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _score_text(summary: RunSummary) -> str:
    return MISSING if summary.score is None else f"{summary.score:.2f}"


def _train_text(summary: RunSummary) -> str:
    return f"{format_seconds(summary.train_s)} / {format_seconds(summary.train_limit_s)}"


def _latency_text(summary: RunSummary) -> str:
    p99 = MISSING if summary.latency_p99_ms is None else f"{summary.latency_p99_ms:.0f} ms"
    limit = MISSING if summary.latency_limit_ms is None else f"{summary.latency_limit_ms:.0f}"
    return f"{p99} (limit {limit})"


ROWS: tuple[tuple[str, Callable[[RunSummary], str]], ...] = (
    ("verdict", lambda s: "passed" if s.passed else "FAILED"),
    ("score", _score_text),
    ("profile", lambda s: s.profile),
    ("submission", lambda s: s.submission),
    ("train", lambda s: s.train_status),
    ("train time / budget", _train_text),
    ("predict", lambda s: s.predict_status),
    ("predict time", lambda s: format_seconds(s.predict_s)),
    ("peak memory", lambda s: format_bytes(s.peak_memory_bytes)),
    ("peak working set", lambda s: format_bytes(s.peak_working_set_bytes)),
    ("peak GPU memory", lambda s: format_bytes(s.peak_gpu_memory_bytes)),
    ("latency p99", _latency_text),
)


def comparison_rows(runs: Sequence[RunSummary]) -> list[list[str]]:
    """Header row of run ids, then one row per compared quantity."""
    table = [["", *(summary.run_id for summary in runs)]]
    table += [[label, *(cell(summary) for summary in runs)] for label, cell in ROWS]
    return table


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Plain aligned columns for the terminal."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def load_summaries(run_dirs: Sequence[Path]) -> list[RunSummary]:
    """Each folder loaded and summarized; at least two, and each a run folder."""
    if len(run_dirs) < 2:
        raise UserError(
            "compare needs at least two run folders",
            hint="e.g. onlinesim compare runs/<id-a> runs/<id-b>",
        )
    return [summarize(load_run(Path(run_dir))) for run_dir in run_dirs]


def render_compare_page(runs: Sequence[RunSummary]) -> str:
    """The same table as a self-contained page, with scores and phase times drawn."""
    rows = comparison_rows(runs)
    body = [
        f"<h1>Comparing {len(runs)} runs</h1>",
        html.table(rows[0], rows[1:]),
    ]
    picture = plots.comparison_chart(
        [summary.run_id for summary in runs],
        [summary.score for summary in runs],
        [summary.train_s for summary in runs],
        [summary.predict_s for summary in runs],
    )
    body.append(html.image(picture, "scores and phase times"))
    failed = [summary for summary in runs if summary.reasons]
    for summary in failed:
        body.append(html.section(f"Why {summary.run_id} failed", html.bullets(summary.reasons)))
    return html.document("onlinesim comparison", body)


def write_compare_page(runs: Sequence[RunSummary], target: Path) -> Path:
    target = Path(target)
    if target.is_dir():
        raise UserError(f"{target} is a folder", hint="give a file name, e.g. compare.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_compare_page(runs), encoding="utf-8")
    return target
