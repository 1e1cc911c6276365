"""The sweep's pure rules: what a task asks Ray for, refusals, statistics, the summary."""

from __future__ import annotations

import math

import pytest

from harness.errors import UserError
from harness.package.variants import Variant
from harness.report.compare import RunSummary
from harness.runners.docker.runner import ONE_GPU, device_requests
from harness.runners.gpu import granted_gpu_ids
from harness.settings.config import resolve_config
from harness.sweep.aggregate import Outcome, aggregate, spread
from harness.sweep.executor import TaskDemand, demand_of, refuse_unplaceable
from harness.sweep.grid import Rehearsal, grid
from harness.sweep.summary import outcome_line, spread_text, summary_document

GIB = 2**30
NODE = {"CPU": 2.0, "memory": 12 * GIB}


def _summary(score: float | None, passed: bool = True, train: str = "ok") -> RunSummary:
    return RunSummary(
        run_id="r", profile="smoke", submission="toy", passed=passed,
        reasons=() if passed else ("Training exited with code 1.",), score=score,
        train_status=train, train_s=1.0, train_limit_s=60.0, predict_status="ok",
        predict_s=2.0, peak_memory_bytes=100, peak_working_set_bytes=100,
        peak_gpu_memory_bytes=None,
        latency_p99_ms=5.0, latency_limit_ms=500.0,
    )  # fmt: skip


def test_a_task_asks_for_the_profiles_memory_and_gpus():
    config = resolve_config({"profile": "online", "submission": "s", "data": "d"})
    assert demand_of(config, 2) == TaskDemand(2, 16384 * 2**20, 1)
    smoke = resolve_config({"profile": "smoke", "submission": "s", "data": "d"})
    assert demand_of(smoke, 1).options() == {
        "num_cpus": 1, "memory": 6144 * 2**20, "num_gpus": 0, "max_retries": 0,
    }  # fmt: skip
    unlimited = resolve_config({"profile": "smoke", "submission": "s", "data": "d",
                                "memory_limit_mb": "none"})  # fmt: skip
    assert demand_of(unlimited, 1).memory_bytes == 0


def test_a_task_no_node_can_hold_is_refused_with_what_it_asks():
    refuse_unplaceable({"smoke": TaskDemand(1, 6 * GIB, 0)}, [NODE])
    with pytest.raises(UserError) as refused:
        refuse_unplaceable({"online": TaskDemand(1, 16 * GIB, 0), "x": TaskDemand(1, 0, 0)},
                           [NODE, {"CPU": 8.0, "memory": 8 * GIB}])  # fmt: skip
    assert refused.value.message == (
        "a rehearsal under profile online asks for 1 CPU(s) and 16.0 GiB (its "
        "memory_limit_mb), and no node of the Ray cluster has that much (largest: 8 CPUs, "
        "12.0 GiB for Ray tasks)."
    )
    with pytest.raises(UserError, match=r"asks for 2 GPU\(s\).*no node of the Ray cluster has 2"):
        refuse_unplaceable({"online": TaskDemand(1, 0, 2)}, [{**NODE, "GPU": 1.0}])


def test_spread_uses_the_sample_standard_deviation():
    assert spread([]) is None
    assert spread([40.0]).sem is None
    values = [40.0, 50.0, 60.0]
    result = spread(values)
    assert (result.n, result.mean, result.minimum, result.maximum) == (3, 50.0, 40.0, 60.0)
    assert result.sem == pytest.approx(10.0 / math.sqrt(3))
    assert spread_text(result) == "50.00 ± 5.77 (n=3)"


def test_failed_rehearsals_are_counted_and_listed_but_only_scores_enter_the_mean():
    base, other = Variant("baseline"), Variant("other")
    outcomes = [
        Outcome(Rehearsal(base, "smoke", 0), "runs/a", _summary(40.0)),
        Outcome(Rehearsal(base, "smoke", 1), "runs/b", _summary(0.0, False, "crashed")),
        Outcome(Rehearsal(base, "smoke", 2), None, None, "the rehearsal failed: no command"),
        Outcome(Rehearsal(other, "smoke", 0), "runs/c", _summary(60.0)),
    ]
    rows = aggregate(outcomes)
    assert [(r.variant, r.rehearsals, r.passed) for r in rows] == [
        ("baseline", 3, 1),
        ("other", 1, 1),
    ]
    assert rows[0].score.n == 2
    assert rows[0].verdicts == {"passed": 1, "train: crashed": 1, "error": 1}
    assert rows[0].failures == (
        (1, "Training exited with code 1."),
        (2, "the rehearsal failed: no command"),
    )
    document = summary_document({"sweep_id": "s"}, rows, outcomes)
    assert document["aggregates"][0]["failures"][1] == {
        "seed": 2,
        "reason": "the rehearsal failed: no command",
    }
    assert document["rehearsals"][2]["verdict"] == "error"
    assert (
        outcome_line(outcomes[0], 1, 4)
        == "[1/4] baseline / smoke / seed 0: passed score 40.00  runs/a"
    )


def test_the_grid_refuses_repeats_and_no_seeds():
    assert len(grid([Variant("baseline")], ["smoke", "tune"], [0, 1, 2])) == 6
    with pytest.raises(UserError, match="at least one seed"):
        grid([Variant("baseline")], ["smoke"], [])
    with pytest.raises(UserError, match="profiles repeat"):
        grid([Variant("baseline")], ["smoke", "smoke"], [0])


def test_docker_phases_get_the_gpus_a_scheduler_granted_else_any_one(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1, 3")
    assert granted_gpu_ids() == ("1", "3")
    assert device_requests(granted_gpu_ids())[0]["DeviceIDs"] == ["1", "3"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert granted_gpu_ids() is None
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert device_requests(granted_gpu_ids()) is ONE_GPU
