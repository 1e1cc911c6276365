"""Which CPUs a phase is pinned to: the pure rule, and the process runner pinning them."""

from __future__ import annotations

import dataclasses
import os

from harness.phases import run_train
from harness.runners.base import Limits
from harness.runners.cpus import cpu_list, cpus_note, harness_cpus, pinned_cpus

PROBE = (
    "import os; from pathlib import Path\n"
    "print('cpus', sorted(os.sched_getaffinity(0)))\n"
    "print('cuda', repr(os.environ.get('CUDA_VISIBLE_DEVICES')))\n"
    "Path(os.environ['MODEL_INFERENCE_PATH'], 'model.bin').write_text('m')\n"
)


def test_the_first_cpus_are_pinned_and_all_of_them_is_no_pinning():
    assert pinned_cpus(2, (0, 1, 2, 3)) == (0, 1)
    assert pinned_cpus(1, (3, 5)) == (3,)
    assert pinned_cpus(2, (0, 1)) is None
    assert pinned_cpus(4, (0, 1)) is None
    assert pinned_cpus("all", (0, 1, 2, 3)) is None
    assert cpu_list((0, 2, 5)) == "0,2,5"


def test_fewer_cpus_than_asked_is_said():
    assert cpus_note(4, (0, 1)) == ("asked for 4 CPUs, but the harness may use only 2: all of them")
    assert cpus_note(2, (0, 1)) is None
    assert cpus_note("all", (0,)) is None


def test_the_process_runner_pins_the_phase_and_hides_the_gpu(run_folder, runner):
    first = harness_cpus()[0]
    spec = run_folder.train_spec("constant")
    limits = dataclasses.replace(spec.limits, cpus=(first,), gpu=False)
    spec = dataclasses.replace(spec, command=("python", "-c", PROBE), limits=limits)
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.exit_code == 0, outcome.log_tail
    assert f"cpus [{first}]" in outcome.log_tail
    assert "cuda ''" in outcome.log_tail
    assert any(f"cpus: pinned to {first}" in note for note in runner.enforcement(limits).notes)


def test_a_phase_without_cpus_runs_on_all_of_the_harness_cpus(run_folder, runner):
    spec = run_folder.train_spec("constant")
    spec = dataclasses.replace(spec, command=("python", "-c", PROBE), limits=Limits(gpu=True))
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert f"cpus {sorted(os.sched_getaffinity(0))}" in outcome.log_tail
    assert "cuda ''" not in outcome.log_tail
