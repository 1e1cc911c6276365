"""The docker runner's GPU accounting and GPU memory limit, on real containers.

This engine has no NVIDIA runtime, so no container here can be granted a GPU.
The tests that need one grant it in name only (the runner believes the engine
has the runtime, and sends no device request) and read a fixed GPU use in
NVML's place, for the host pids the engine lists. The no-GPU path runs as is.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import docker
import pytest
from docker_support import FAST

from harness.phases import run_predict, run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits
from harness.runners.docker import LABEL, DockerRunner
from harness.runners.docker import runner as runner_module
from harness.runners.gpu import GpuUsage, gpu_available, gpu_usage

pytestmark = pytest.mark.docker

MIB = 2**20
SLEEPER = ("python", "-c", "import time; time.sleep(600)")
SHORT = ("python", "-c", "import time; time.sleep(3)")


class FixedGpu:
    """Reads the given GPU memory values in turn (the last one from then on), 40 % busy.

    Remembers what it was asked: the pids, their command lines as this host
    sees them, and the first container whose processes they are.
    """

    def __init__(self, engine: docker.DockerClient, *memory_bytes: int) -> None:
        self._engine = engine
        self._values = list(memory_bytes)
        self.asked: list[list[int]] = []
        self.command_lines: list[str] = []
        self.container_id: str | None = None

    def __call__(self, pids: list[int]) -> GpuUsage:
        if not self.asked:
            self.container_id = _container_holding(self._engine, pids)
            self.command_lines = [_command_line(pid) for pid in pids]
        self.asked.append(list(pids))
        memory = self._values.pop(0) if len(self._values) > 1 else self._values[0]
        return GpuUsage(memory_bytes=memory, utilization_percent=40.0)


def _container_holding(engine: docker.DockerClient, pids: list[int]) -> str | None:
    for container in engine.containers.list(filters={"label": f"{LABEL}=1"}):
        listed = {int(row[0]) for row in container.top(ps_args="-o pid")["Processes"]}
        if listed & set(pids):
            return container.id
    return None


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture
def runner_granting_a_gpu(base_image, monkeypatch):
    """A runner that believes the engine gives a GPU, with `reader` in NVML's place."""

    def make(reader) -> DockerRunner:
        runner = DockerRunner(image=base_image, gpu_reader=reader, gpu_interval_s=0.1)
        monkeypatch.setattr(runner, "has_gpu_runtime", lambda: True)
        monkeypatch.setattr(runner_module, "ONE_GPU", None)  # the engine here has none to give
        return runner

    return make


def _spec(run_folder, limits: Limits, command: tuple[str, ...]):
    return dataclasses.replace(run_folder.train_spec("constant", limits), command=command)


def test_over_the_gpu_memory_limit_the_container_is_killed_and_out_of_memory(
    run_folder, runner_granting_a_gpu, engine
):
    reader = FixedGpu(engine, 300 * MIB)
    spec = _spec(run_folder, Limits(gpu=True, gpu_memory_bytes=256 * MIB), SLEEPER)
    outcome = run_train(runner_granting_a_gpu(reader), spec, 120, 1, run_folder.model_dir)
    assert outcome.status is Status.OUT_OF_MEMORY, outcome.reason
    assert outcome.reason == (
        "Training held 300 MiB of GPU memory, over the GPU memory limit of 256 MiB, "
        "and was stopped."
    )
    assert outcome.peak_gpu_memory_bytes == 300 * MIB
    assert not outcome.details["stopped_by_harness"]  # killed for the limit, not the budget
    assert len(reader.asked) == 1  # reading ends at the kill
    assert any("time.sleep(600)" in line for line in reader.command_lines)  # host pids
    assert reader.container_id is not None
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(reader.container_id)


ANSWERS_ONE_THEN_WAITS = (
    "python",
    "-c",
    "import json, sys, time\n"
    "print(json.dumps({'ready': True}), flush=True)\n"
    "request = json.loads(sys.stdin.readline())\n"
    "print(json.dumps({'id': request['id'], 'label': 'glass'}), flush=True)\n"
    "time.sleep(600)\n",
)


def test_predict_over_the_gpu_memory_limit_midway_is_out_of_memory_with_its_answers(
    run_folder, runner_granting_a_gpu
):
    """10 MiB until the first answer, 300 MiB after: killed midway, the answer given kept."""
    answered = threading.Event()

    def grows_after_the_first_answer(pids: list[int]) -> GpuUsage:
        return GpuUsage(
            memory_bytes=(300 if answered.is_set() else 10) * MIB, utilization_percent=5.0
        )

    limits = Limits(gpu=True, gpu_memory_bytes=256 * MIB)
    spec = dataclasses.replace(
        run_folder.predict_spec("constant", limits), command=ANSWERS_ONE_THEN_WAITS
    )
    outcome, answers = run_predict(
        runner_granting_a_gpu(grows_after_the_first_answer),
        spec,
        run_folder.requests,
        {"cardboard", "glass", "纸箱"},
        FAST,
        on_answer=lambda done, total: answered.set(),
    )
    assert outcome.status is Status.OUT_OF_MEMORY, outcome.reason
    assert outcome.reason == (
        "Prediction held 300 MiB of GPU memory, over the GPU memory limit of 256 MiB, "
        f"and was stopped (1 of {len(run_folder.requests)} images answered)."
    )
    assert outcome.peak_gpu_memory_bytes == 300 * MIB
    assert [a.label for a in answers] == ["glass"]


def test_under_the_limit_samples_and_peak_carry_the_gpu_readings(
    run_folder, runner_granting_a_gpu, engine
):
    reader = FixedGpu(engine, 100 * MIB, 150 * MIB, 120 * MIB)
    runner = runner_granting_a_gpu(reader)
    spec = _spec(run_folder, Limits(gpu=True, gpu_memory_bytes=256 * MIB), SHORT)
    samples = []
    info = runner.launch(spec, on_sample=samples.append).wait(60)
    assert info is not None and info.exit_code == 0
    assert not info.killed_for_memory and not info.gpu_memory_exceeded
    assert len(reader.asked) >= 3
    assert info.peak_gpu_memory_bytes == 150 * MIB
    with_gpu = [s for s in samples if s.gpu_memory_bytes is not None]
    assert with_gpu, f"no stats sample carried a GPU reading: {samples}"
    assert {s.gpu_memory_bytes for s in with_gpu} <= {100 * MIB, 150 * MIB, 120 * MIB}
    assert {s.gpu_utilization for s in with_gpu} == {40.0}


def test_a_failing_reader_is_not_asked_again_and_the_gpu_stays_unknown(
    run_folder, runner_granting_a_gpu
):
    calls = []

    def broken(pids: list[int]) -> GpuUsage:
        calls.append(pids)
        raise RuntimeError("NVML went away")

    spec = _spec(run_folder, Limits(gpu=True, gpu_memory_bytes=256 * MIB), SHORT)
    info = runner_granting_a_gpu(broken).launch(spec).wait(60)
    assert info is not None and info.exit_code == 0 and not info.killed_for_memory
    assert len(calls) == 1
    assert info.peak_gpu_memory_bytes is None


def test_without_a_granted_gpu_nothing_is_measured_and_the_notes_say_why(run_folder, base_image):
    """The real path here: NVML's reader, an engine without an NVIDIA runtime."""
    calls = []

    def nvml(pids: list[int]) -> GpuUsage | None:
        calls.append(pids)
        return gpu_usage(pids)

    runner = DockerRunner(image=base_image, gpu_reader=nvml)
    if runner.has_gpu_runtime():
        pytest.skip("this engine has an NVIDIA runtime: the GPU is granted here")
    limits = Limits(gpu=True, gpu_memory_bytes=64 * MIB)
    enforcement = runner.enforcement(limits)
    assert not enforcement.gpu and not enforcement.gpu_memory
    assert (
        "gpu memory limit: not enforced: no GPU granted (the engine has no NVIDIA runtime)"
        in enforcement.notes
    )
    samples = []
    outcome = run_train(
        runner,
        _spec(run_folder, limits, SHORT),
        60,
        1,
        run_folder.model_dir,
        on_sample=samples.append,
    )
    assert outcome.status is Status.NO_MODEL_EXPORTED, outcome.reason  # ran, wrote no model
    assert outcome.peak_gpu_memory_bytes is None
    assert samples and all(
        s.gpu_memory_bytes is None and s.gpu_utilization is None for s in samples
    )
    assert calls == []  # a container without a GPU holds none: not asked, not 0


def test_enforcement_says_whether_the_gpu_memory_limit_holds(runner_granting_a_gpu):
    runner = runner_granting_a_gpu(gpu_usage)
    limits = Limits(gpu=True, gpu_memory_bytes=256 * MIB)
    enforcement = runner.enforcement(limits)
    assert enforcement.gpu
    if gpu_available():
        assert enforcement.gpu_memory
        assert any(n.startswith("gpu memory: ") and "256 MiB" in n for n in enforcement.notes)
    else:
        assert not enforcement.gpu_memory
        assert "gpu memory limit: not enforced: no GPU (NVML sees no device here)" in (
            enforcement.notes
        )
    no_gpu = runner.enforcement(dataclasses.replace(limits, gpu=False))
    assert not no_gpu.gpu_memory
    assert "gpu memory limit: not enforced: the profile grants the phase no GPU" in no_gpu.notes
    assert not runner.enforcement(Limits(gpu=True)).gpu_memory
