"""The train phase with the process runner: every toy gets its status and reason."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from exec_support import Descendants

from harness.phases import run_train
from harness.phases.outcome import Status
from harness.phases.train import limit_variables
from harness.runners.base import Limits, Runner
from harness.runners.gpu import gpu_available


def test_constant_trains_and_exports(run_folder, runner):
    outcome = run_train(runner, run_folder.train_spec("constant"), 30, 2, run_folder.model_dir)
    assert outcome.status is Status.OK, outcome.reason
    assert (run_folder.model_dir / "label.txt").read_text(encoding="utf-8") == "cardboard"
    assert outcome.exit_code == 0
    assert any("will answer 'cardboard'" in line for line in outcome.log_tail)


def test_budget_and_deadline_reach_the_program(run_folder, runner):
    spec = run_folder.train_spec("constant")
    spec = dataclasses.replace(spec, command=("python", "-c", _PRINT_BUDGET))
    outcome = run_train(runner, spec, 42, 2, run_folder.model_dir)
    budget, deadline_left = outcome.log_tail[-1].split()
    assert float(budget) == 42.0
    assert 40.0 < float(deadline_left) <= 42.0


def test_the_memory_limits_reach_the_program_only_when_set(run_folder, runner):
    spec = run_folder.train_spec("constant")
    spec = dataclasses.replace(spec, command=("python", "-c", _PRINT_LIMITS))
    limited = dataclasses.replace(spec, limits=Limits(memory_bytes=3 * 2**30))
    outcome = run_train(runner, limited, 30, 2, run_folder.model_dir)
    assert outcome.log_tail[-1] == f"{3 * 2**30} none"
    unlimited = dataclasses.replace(spec, limits=Limits())
    outcome = run_train(runner, unlimited, 30, 2, run_folder.model_dir)
    assert outcome.log_tail[-1] == "none none"


def test_limit_variables_name_each_limit_that_is_set():
    assert limit_variables(Limits(memory_bytes=2**30, gpu_memory_bytes=2**33)) == {
        "ONLINESIM_MEMORY_BYTES": str(2**30),
        "ONLINESIM_GPU_MEMORY_BYTES": str(2**33),
    }
    assert limit_variables(Limits(gpu_memory_bytes=5)) == {"ONLINESIM_GPU_MEMORY_BYTES": "5"}


_PRINT_LIMITS = (
    "import os; print(*(os.environ.get(n, 'none') for n in"
    " ('ONLINESIM_MEMORY_BYTES', 'ONLINESIM_GPU_MEMORY_BYTES')))"
)

_PRINT_BUDGET = (
    "import os, time; print(os.environ['ONLINESIM_BUDGET_SECONDS'],"
    " float(os.environ['ONLINESIM_DEADLINE']) - time.time())"
)


def test_no_model_exported(run_folder, runner):
    outcome = run_train(runner, run_folder.train_spec("no_model"), 30, 2, run_folder.model_dir)
    assert outcome.status is Status.NO_MODEL_EXPORTED
    assert "MODEL_INFERENCE_PATH" in outcome.reason


def test_timeout_kills_the_whole_tree_even_when_sigterm_is_ignored(run_folder, runner):
    spec = run_folder.train_spec("sleep_forever", TOY_IGNORE_SIGTERM="1")
    with Descendants() as phase_processes:
        outcome = run_train(runner, spec, 1.5, 0.5, run_folder.model_dir)
    assert outcome.status is Status.TIMEOUT
    assert "1.5 s budget" in outcome.reason
    assert outcome.details["stopped_by_harness"] is True
    assert outcome.details["signal"] == 9  # SIGTERM was ignored, so the kill ended it
    assert any("grandchild pid" in line for line in outcome.log_tail)
    assert any("time.sleep(3600)" in line for line in phase_processes.command_lines)
    assert phase_processes.still_running() == []


DAEMON = """
import os, pathlib, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(3600)
    os._exit(0)
time.sleep(0.3)
pathlib.Path(os.environ["MODEL_INFERENCE_PATH"], "model.bin").write_text("m")
"""


def test_a_detached_daemon_does_not_outlive_the_phase(run_folder, runner):
    spec = dataclasses.replace(run_folder.train_spec("constant"), command=("python", "-c", DAEMON))
    with Descendants() as phase_processes:
        outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.status is Status.OK
    assert len(phase_processes.seen) >= 3
    assert phase_processes.still_running() == []


def test_memory_hog_is_stopped_and_reported(run_folder, runner):
    limit = 200 * 2**20
    spec = run_folder.train_spec("memory_hog", Limits(memory_bytes=limit), TOY_STEP_MB="32")
    outcome = run_train(runner, spec, 60, 1, run_folder.model_dir)
    assert outcome.status is Status.OUT_OF_MEMORY, outcome.reason
    assert outcome.peak_memory_bytes > limit
    assert outcome.peak_memory_bytes < limit + 4 * 32 * 2**20
    assert outcome.memory_limit_bytes == limit
    assert "over the memory limit of 200 MiB" in outcome.reason
    assert outcome.wall_s < 30


def test_crash_is_reported_with_its_exit_code(run_folder, runner):
    spec = run_folder.train_spec("constant")
    spec = dataclasses.replace(spec, command=("python", "-c", "raise SystemExit(7)"))
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.status is Status.CRASHED
    assert outcome.reason == "Training exited with code 7."


def test_missing_program_is_a_crash_with_a_plain_reason(run_folder, runner):
    spec = run_folder.train_spec("constant")
    spec = dataclasses.replace(spec, command=("no-such-program-xyz",))
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.status is Status.CRASHED
    assert "no-such-program-xyz" in "\n".join(outcome.log_tail)


def _listening_server() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_network_is_cut(run_folder, runner):
    assert runner.enforcement(Limits(network=False)).network is True
    with _listening_server() as server:
        address = f"127.0.0.1:{server.getsockname()[1]}"
        spec = run_folder.train_spec("network", TOY_CONNECT_ADDR=address)
        outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.status is Status.OK, outcome.log_tail
    assert any("toy network: unreachable" in line for line in outcome.log_tail)


def test_network_toy_fails_where_the_network_is_allowed(run_folder, runner):
    with _listening_server() as server:
        address = f"127.0.0.1:{server.getsockname()[1]}"
        spec = run_folder.train_spec("network", Limits(network=True), TOY_CONNECT_ADDR=address)
        outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.status is Status.CRASHED
    assert any("toy network: reachable" in line for line in outcome.log_tail)


class _InterruptedWhileWaiting(Runner):
    """The process runner, but the user presses Ctrl-C while the harness waits."""

    name = "interrupted"

    def __init__(self, inner: Runner) -> None:
        self.inner = inner

    def enforcement(self, limits):
        return self.inner.enforcement(limits)

    def launch(self, spec, on_sample=None):
        phase = self.inner.launch(spec, on_sample)
        real_wait = phase.wait

        def wait(timeout_s):
            real_wait(0.3)
            raise KeyboardInterrupt

        phase.wait = wait
        return phase


def test_ctrl_c_in_the_harness_stops_the_phase(run_folder, runner):
    spec = run_folder.train_spec("sleep_forever")
    with Descendants() as phase_processes, pytest.raises(KeyboardInterrupt):
        run_train(_InterruptedWhileWaiting(runner), spec, 60, 30, run_folder.model_dir)
    assert len(phase_processes.seen) >= 2
    assert phase_processes.still_running() == []


def test_gpu_memory_limit_is_enforced_or_said_not_to_be_on_this_machine(run_folder, runner):
    """The real NVML path: without a GPU the limit cannot hold, and the runner says so."""
    limits = Limits(gpu_memory_bytes=64 * 2**20)
    notes = runner.enforcement(limits).notes
    outcome = run_train(
        runner, run_folder.train_spec("constant", limits), 30, 2, run_folder.model_dir
    )
    assert outcome.status is Status.OK, outcome.reason  # the toy holds no GPU memory
    assert outcome.gpu_memory_limit_bytes == 64 * 2**20
    if gpu_available():
        assert runner.enforcement(limits).gpu_memory
        assert any(note.startswith("gpu memory: ") and "64 MiB" in note for note in notes)
        assert outcome.peak_gpu_memory_bytes == 0
    else:
        assert not runner.enforcement(limits).gpu_memory
        assert "gpu memory limit: not enforced: no GPU (NVML sees no device here)" in notes
        assert outcome.peak_gpu_memory_bytes is None
    assert not runner.enforcement(Limits()).gpu_memory
