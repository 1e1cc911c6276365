"""Tune's pure rules on Ray: what a variant declares, and a crashed variant's row."""

from __future__ import annotations

from harness.cli.commands.tune import format_table, row_line
from harness.environments.tune import row_of, tune_demand
from harness.package.variants import Variant
from harness.sweep.aggregate import Outcome
from harness.sweep.executor import TaskDemand
from harness.sweep.grid import Rehearsal

GIB = 2**30


def test_no_gpu_anywhere_drops_the_gpu_demand_so_tune_runs_on_cpu_as_before() -> None:
    demand = TaskDemand(1.0, 16 * GIB, 1)
    assert tune_demand(demand, [{"CPU": 2, "memory": 22 * GIB}]) == TaskDemand(1.0, 16 * GIB, 0)


def test_a_cluster_with_gpus_keeps_the_profiles_demand() -> None:
    demand = TaskDemand(1.0, 16 * GIB, 2)
    nodes = [{"CPU": 2, "memory": 22 * GIB}, {"CPU": 8, "memory": 64 * GIB, "GPU": 1}]
    assert tune_demand(demand, nodes) == demand


def test_a_variant_whose_task_crashed_is_a_row_with_its_reason() -> None:
    rehearsal = Rehearsal(Variant("wide"), "tune", 0)
    outcome = Outcome(rehearsal, None, None, "the rehearsal failed: OSError: disk full")
    row = row_of(outcome)
    assert (row.variant, row.passed, row.train_status) == ("wide", False, "error")
    assert row.reasons == ("the rehearsal failed: OSError: disk full",)
    assert "wide: failed (train error)" in row_line(row, 1, 2)
    table = format_table([row])
    assert "the rehearsal failed: OSError: disk full" in table
    assert "best validation accuracy" not in table
