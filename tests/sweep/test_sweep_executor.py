"""Sweeps on a real local Ray instance (2 CPUs): aggregates, crashes, a GPU nobody has."""

from __future__ import annotations

import json
import math
import os
import statistics
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.package.variants import Variant
from harness.sweep.executor import outcome_of
from harness.sweep.grid import Rehearsal
from harness.sweep.sweep import SweepPlan, sweep

pytestmark = pytest.mark.slow  # each sweep runs several real rehearsals


def _settings(submission: Path, data: Path, runs: Path, **more) -> dict:
    return {
        "submission": str(submission),
        "data": str(data),
        "runs_dir": str(runs),
        "runner": "process",
        **more,
    }


def _report(run_dir: str) -> dict:
    return json.loads((Path(run_dir) / "report.json").read_text(encoding="utf-8"))


def test_aggregates_equal_those_computed_from_the_run_folders(
    ray_here, toys_dir, photo_subset, tmp_path, write_variant
):
    lines = []
    result = sweep(
        _settings(toys_dir / "centroid", photo_subset, tmp_path / "runs"),
        SweepPlan(("smoke",), (0, 1), (write_variant("other", "unused = 1\n"),)),
        on_outcome=lines.append,
    )
    summary = json.loads(result.layout.summary.read_text(encoding="utf-8"))
    assert len(lines) == 4
    assert [(a["variant"], a["rehearsals"]) for a in summary["aggregates"]] == [
        ("baseline", 2),
        ("other", 2),
    ]
    for aggregate in summary["aggregates"]:
        runs = [r for r in summary["rehearsals"] if r["variant"] == aggregate["variant"]]
        assert sorted(r["seed"] for r in runs) == [0, 1]
        reports = [_report(r["run_dir"]) for r in runs]
        scores = [report["score"]["accuracy"] for report in reports]
        assert aggregate["passed"] == 2
        assert aggregate["score"]["mean"] == pytest.approx(statistics.fmean(scores))
        assert aggregate["score"]["sem"] == pytest.approx(statistics.stdev(scores) / math.sqrt(2))
        assert (aggregate["score"]["minimum"], aggregate["score"]["maximum"]) == (
            min(scores),
            max(scores),
        )
        train = [report["phases"]["train"]["wall_s"] for report in reports]
        assert aggregate["train_s"]["mean"] == pytest.approx(statistics.fmean(train))
        p99 = [report["score"]["latency_ms"]["p99"] for report in reports]
        assert aggregate["latency_p99_ms"]["mean"] == pytest.approx(statistics.fmean(p99))
        peaks = [
            phase["peak_memory_bytes"] for report in reports for phase in report["phases"].values()
        ]
        assert aggregate["peak_memory_bytes"] == max(peaks)
    # The seed draws the split: the same package scores differently across seeds.
    assert len({r["score"] for r in summary["rehearsals"]}) > 1
    assert result.layout.page.read_text(encoding="utf-8").count("<tr>") >= 1 + 2 + 1 + 4
    assert not result.layout.variants.exists()


def test_a_crashing_variant_is_reported_with_its_reason_and_the_others_finish(
    ray_here, toys_dir, three_class_set, tmp_path, write_variant
):
    crash = write_variant(
        "crash", '[train]\ncommand = ["python", "-c", "raise SystemExit(\'boom\')"]\n'
    )
    broken = write_variant("broken", '[train]\ncommand = "python train.py"\n')
    result = sweep(
        _settings(toys_dir / "constant", three_class_set, tmp_path / "runs"),
        SweepPlan(("smoke",), (0,), (crash, broken), variant_target="submission.toml"),
    )
    by_variant = {o.rehearsal.variant.name: o for o in result.outcomes}
    assert by_variant["baseline"].verdict == "passed"
    assert by_variant["baseline"].summary.score is not None
    assert by_variant["crash"].verdict == "train: crashed"
    assert "Training exited with code 1." in by_variant["crash"].reason
    assert by_variant["broken"].verdict == "error"
    assert by_variant["broken"].run_dir is None
    assert by_variant["broken"].reason.startswith("the rehearsal failed: ")
    assert "command" in by_variant["broken"].reason
    summary = json.loads(result.layout.summary.read_text(encoding="utf-8"))
    failures = {a["variant"]: a["failures"] for a in summary["aggregates"]}
    assert failures["baseline"] == []
    assert failures["broken"] == [{"seed": 0, "reason": by_variant["broken"].reason}]


def test_a_rehearsal_asking_for_a_gpu_the_cluster_lacks_is_refused_before_any_run(
    ray_here, toys_dir, three_class_set, tmp_path
):
    runs = tmp_path / "runs"
    with pytest.raises(UserError) as refused:
        sweep(
            _settings(toys_dir / "constant", three_class_set, runs, train_gpu=1),
            SweepPlan(("smoke",), (0, 1)),
        )
    assert refused.value.message == (
        "a rehearsal under profile smoke asks for 1 GPU(s) (its train_gpu and predict_gpu "
        "settings), and no node "
        "of the Ray cluster has any."
    )
    assert "--set train_gpu=0" in refused.value.hint
    assert not runs.exists()  # no run folder, no sweep folder


def test_a_lost_worker_is_an_outcome_with_its_reason(ray_here):
    @ray_here.remote(max_retries=0)
    def dies() -> str:
        os._exit(1)  # the worker process vanishes, as on a crashed or lost node

    rehearsal = Rehearsal(Variant("baseline"), "smoke", 0)
    outcome = outcome_of(ray_here, rehearsal, dies.remote())
    assert (outcome.verdict, outcome.run_dir) == ("error", None)
    assert outcome.reason.startswith("WorkerCrashedError: "), outcome.reason
