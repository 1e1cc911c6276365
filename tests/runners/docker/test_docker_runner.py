"""What only the docker runner does: engine limits, mounts, logs, clean-up, engine errors."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time

import pytest
from docker_support import NO_LIMITS

from harness.errors import UserError
from harness.phases import run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits
from harness.runners.docker import LABEL, DockerRunner, docker_available
from harness.runners.docker.runner import phase_user

pytestmark = pytest.mark.docker

SLEEPER = ("python", "-c", "import time; print('started', flush=True); time.sleep(600)")


def _command(spec, *argv: str):
    return dataclasses.replace(spec, command=argv, interactive=False)


def test_data_mount_is_read_only_and_model_files_belong_to_the_user(run_folder, docker_runner):
    script = (
        "import os, sys\n"
        "try:\n"
        "    open(os.path.join(os.environ['IMAGE_TRAIN_INPUT_PATH'], 'x.txt'), 'w')\n"
        "except OSError as error:\n"
        "    print('data write refused:', error)\n"
        "open(os.path.join(os.environ['MODEL_INFERENCE_PATH'], 'm.txt'), 'w').write('1')\n"
    )
    spec = _command(run_folder.train_spec("constant"), "python", "-c", script)
    info = docker_runner.launch(spec).wait(60)
    assert info is not None and info.exit_code == 0
    assert "data write refused" in spec.log_path.read_text()
    assert "Read-only file system" in spec.log_path.read_text()
    assert not (run_folder.train_dir / "x.txt").exists()
    written = run_folder.model_dir / "m.txt"
    assert (written.stat().st_uid, written.stat().st_gid) == (os.getuid(), os.getgid())


def test_engine_enforces_the_limits(run_folder, docker_runner, engine):
    limits = Limits(memory_bytes=300 * 2**20, pids=64, shm_bytes=32 * 2**20, cpus=(0,))
    spec = _command(run_folder.train_spec("constant", limits), *SLEEPER)
    phase = docker_runner.launch(spec)
    try:
        (container,) = engine.containers.list(filters={"label": f"{LABEL}.phase=train"})
        host = container.attrs["HostConfig"]
        assert host["NetworkMode"] == "none"
        assert host["Memory"] == host["MemorySwap"] == 300 * 2**20
        assert host["PidsLimit"] == 64
        assert host["ShmSize"] == 32 * 2**20
        assert host["CpusetCpus"] == "0"
        assert not host["DeviceRequests"]  # no GPU asked for
        uid, gid = phase_user()
        assert container.attrs["Config"]["User"] == f"{uid}:{gid}" and uid != 0
        assert host["CapDrop"] == ["ALL"]
        assert host["SecurityOpt"] == ["no-new-privileges"]
        assert host["ReadonlyRootfs"] is True
        assert not any("docker.sock" in m["Source"] for m in container.attrs["Mounts"])
        mounts = {m["Destination"]: m["RW"] for m in container.attrs["Mounts"]}
        assert mounts[str(run_folder.train_dir)] is False
        assert mounts[str(run_folder.model_dir)] is True
    finally:
        info = phase.stop(1)
    assert info.stopped_by_harness


def test_log_is_written_while_running_and_kept_after_a_kill(run_folder, docker_runner):
    spec = _command(run_folder.train_spec("constant"), *SLEEPER)
    phase = docker_runner.launch(spec)
    try:
        deadline = time.monotonic() + 30
        while "started" not in _text(spec.log_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "started" in _text(spec.log_path)
        assert phase.wait(0.5) is None
    finally:
        info = phase.stop(0)
    assert info.stopped_by_harness and info.signal in (9, 15)
    assert "started" in _text(spec.log_path)


def _text(path) -> str:
    return path.read_text() if path.exists() else ""


def test_samples_and_peak_memory_come_from_container_stats(run_folder, docker_runner):
    script = (
        "import time; block = bytearray(80 * 2**20); block[::4096] = b'1' * 20480; time.sleep(3)"
    )
    spec = _command(run_folder.train_spec("constant"), "python", "-c", script)
    samples = []
    info = docker_runner.launch(spec, on_sample=samples.append).wait(60)
    assert info is not None and info.exit_code == 0
    assert samples, "no stats sample in 3 s"
    assert max(s.memory_bytes for s in samples) > 60 * 2**20
    assert info.peak_memory_bytes >= max(s.memory_bytes for s in samples)


def test_ctrl_c_while_waiting_removes_the_container(run_folder, docker_runner, engine):
    def ours() -> set[str]:
        return {c.id for c in engine.containers.list(all=True, filters={"label": f"{LABEL}=1"})}

    before = ours()
    phase = docker_runner.launch(_command(run_folder.train_spec("constant"), *SLEEPER))
    started = ours() - before
    assert len(started) == 1
    threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        phase.wait(None)
    assert not started & ours()


def test_unreachable_engine_is_a_user_error(run_folder, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    available, reason = docker_available()
    assert not available
    assert "no Docker engine answers" in reason and "ensure_docker.sh" in reason
    with pytest.raises(UserError, match="none answers"):
        DockerRunner().launch(run_folder.train_spec("constant"))


def test_missing_image_is_a_user_error(run_folder, engine):
    runner = DockerRunner(image="onlinesim-no-such-image:never")
    with pytest.raises(UserError, match="does not exist") as raised:
        runner.launch(run_folder.train_spec("constant"))
    assert "docker/build_image.sh" in str(raised.value)


def test_gpu_is_enforced_only_with_an_nvidia_runtime(docker_runner):
    enforcement = docker_runner.enforcement(Limits(gpu=True))
    assert enforcement.gpu is docker_runner.has_gpu_runtime()
    if not enforcement.gpu:
        assert any("no NVIDIA runtime" in note for note in enforcement.notes)
    assert docker_runner.enforcement(NO_LIMITS).network
    assert docker_available()[0]


def test_a_program_that_cannot_start_crashes_as_under_the_process_runner(
    run_folder, docker_runner, process_runner
):
    spec = _command(run_folder.train_spec("constant"), "no-such-program-here")
    statuses = {
        name: run_train(runner, spec, 30, 1, run_folder.model_dir).status
        for name, runner in {"process": process_runner, "docker": docker_runner}.items()
    }
    assert statuses == {"process": Status.CRASHED, "docker": Status.CRASHED}
    assert "no-such-program-here" in spec.log_path.read_text()


def test_a_short_phase_still_reports_its_peak_memory(run_folder, docker_runner):
    # Over well before stats' first reading (about 1 s), not before a cgroup poll.
    script = "import time; b = bytearray(50 * 2**20); b[::4096] = b'1' * 12800; time.sleep(0.3)"
    spec = _command(run_folder.train_spec("constant"), "python", "-c", script)
    info = docker_runner.launch(spec).wait(60)
    assert info is not None and info.exit_code == 0
    assert info.peak_memory_bytes is not None and info.peak_memory_bytes > 50 * 2**20


def test_page_cache_counts_in_the_raw_peak_not_in_the_working_set(
    run_folder, docker_runner, process_runner
):
    # Writes 120 MiB to a file and keeps little in memory: the cgroup charges the file's
    # cache, which the kernel would reclaim before a kill and PSS never counts.
    script = (
        "import os, time\n"
        "with open(os.path.join(os.environ['MODEL_INFERENCE_PATH'], 'big'), 'wb') as f:\n"
        "    for _ in range(120): f.write(b'x' * 2**20)\n"
        "time.sleep(1.5)\n"
    )
    peaks = {}
    for name, runner in {"docker": docker_runner, "process": process_runner}.items():
        spec = _command(run_folder.train_spec("constant"), "python", "-c", script)
        info = runner.launch(spec).wait(60)
        assert info is not None and info.exit_code == 0, (name, spec.log_path.read_text())
        peaks[name] = (info.peak_memory_bytes, info.peak_working_set_bytes)
    docker_raw, docker_working_set = peaks["docker"]
    process_raw, process_working_set = peaks["process"]
    assert docker_raw > 120 * 2**20
    assert docker_working_set < 60 * 2**20, peaks
    assert process_working_set == process_raw < 60 * 2**20, peaks
