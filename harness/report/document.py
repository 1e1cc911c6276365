"""report.json (schema in docs/report.md) and the summary printed on the terminal.

The report is assembled from plain parts (config, data, phase outcomes,
score), so a run that failed early still gets a complete report with the
same fields: what did not happen says `not_run`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness import __version__
from harness.phases.outcome import PhaseOutcome, Status
from harness.report.schema import PhaseEntry, RunReport
from harness.settings.run_layout import RunLayout

SCHEMA_VERSION = 2  # 2: the answer key is answer_key.csv (files.answer_key)
PHASE_NAMES = ("train", "predict")


@dataclass
class DataSummary:
    """What was staged, and everything the user should know about how."""

    source: str
    classes: list[str]
    train_images: int
    test_images: int
    requested: dict
    scaled_down: bool
    warnings: list[str] = field(default_factory=list)
    skipped_files: list[dict] = field(default_factory=list)
    holdout: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def verdict(phases: dict[str, PhaseOutcome]) -> dict:
    """Passed only when every phase ended ok; each failure gives its one-sentence reason."""
    reasons = [
        f"{name}: {outcome.status.value}: {outcome.reason}"
        for name, outcome in phases.items()
        if outcome.status is not Status.OK
    ]
    return {"passed": not reasons, "reasons": reasons}


def assemble(
    *,
    run_id: str,
    created: str,
    profile: dict,
    time_scale: float,
    runner: dict,
    submission: dict,
    data: DataSummary,
    phases: dict[str, PhaseOutcome],
    score: dict,
    warnings: list[str],
    files: dict[str, str],
) -> RunReport:
    """The report.json object, in the documented field order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "created": created,
        "harness_version": __version__,
        "profile": profile,
        "time_scale": time_scale,
        "runner": runner,
        "submission": submission,
        "data": data.to_dict(),
        "phases": {name: phases[name].to_dict() for name in PHASE_NAMES},
        "score": score,
        "verdict": verdict({name: phases[name] for name in PHASE_NAMES}),
        "warnings": list(warnings),
        "files": dict(files),
    }


def write_report(run_dir: Path, report: RunReport) -> Path:
    """Write report.json atomically (a reader never sees half a report)."""
    path = RunLayout(Path(run_dir)).report
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def _mib(value: int | None) -> str:
    return "?" if value is None else f"{value / 2**20:,.0f} MiB"


def _phase_line(name: str, phase: PhaseEntry) -> str:
    limit = f" of {phase['limit_s']:g} s" if name == "train" and phase.get("limit_s") else ""
    memory = f", peak {_mib(phase.get('peak_memory_bytes'))}"
    if phase.get("memory_limit_bytes"):
        memory += f" of {_mib(phase['memory_limit_bytes'])}"
    line = f"  {name:<9}{phase['status']:<18}{phase['wall_s']:.1f} s{limit}{memory}"
    prepare_s = (phase.get("details") or {}).get("prepare_s")
    if prepare_s is not None:
        line += f" (+{prepare_s:.1f} s preparing, not charged)"
    if phase["status"] != Status.OK.value:
        line += f"\n           {phase['reason']}"
    return line


def summary_text(report: RunReport, report_path: Path | None = None) -> str:
    """The few lines a person reads on the terminal after a run."""
    data, score, latency = report["data"], report["score"], report["score"]["latency_ms"]
    scaled = "  (scaled down)" if data["scaled_down"] else ""
    lines = [
        f"onlinesim: run {report['run_id']}, profile {report['profile']['name']}, "
        f"runner {report['runner']['name']}, time scale {report['time_scale']:g}",
        f"  data     {data['train_images']} train / {data['test_images']} test images, "
        f"{len(data['classes'])} classes from {data['source']}{scaled}",
    ]
    lines += [_phase_line(name, report["phases"][name]) for name in PHASE_NAMES]
    lines.append(
        f"  score    {score['accuracy']:.2f}  ({score['correct']}/{score['total']} correct, "
        f"{score['answered']} answered)"
    )
    if latency["count"]:
        lines.append(
            f"  latency  p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, "
            f"max {latency['max']:.1f} ms (limit {latency['limit']:g} ms, "
            f"{latency['over_limit']} over)"
        )
    if score.get("error_cost"):
        lines.append(f"  cost     {score['error_cost']['mean']:.4f} per image (error-type table)")
    passed = report["verdict"]["passed"]
    lines.append(f"  verdict  {'PASSED' if passed else 'FAILED'}")
    lines += [f"  warning: {warning}" for warning in report["warnings"]]
    if report_path is not None:
        lines.append(f"  report   {report_path}")
        if "page" in report["files"]:
            lines.append(f"  page     {report_path.parent / report['files']['page']}")
    return "\n".join(lines)
