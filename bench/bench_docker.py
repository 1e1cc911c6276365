"""Docker runner costs: container overhead per phase, and one toy under both runners.

Overhead = a phase whose program does nothing (`python -c pass`), launched and
waited through the runner: create + start + wait + remove for docker, spawn +
wait for the process runner. The toy rows run the `centroid` toy's train and
predict phases (generated 32 px images) through `run_train` / `run_predict`.
The GPU-watch row is what listing a running container's host pids costs (the
engine's `top`, done at each GPU reading): engine CPU (dockerd, containerd and
the ps it starts, read from psutil) and harness CPU per reading, and the share
of a core at the watch's interval. NVML's own queries are not in it.
Needs an engine and the base image (scripts/ensure_docker.sh,
docker/build_base_image.sh).

    .venv/bin/python bench/bench_docker.py --repeats 10
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "runners" / "docker")]

import psutil  # noqa: E402
from docker_support import FAST  # noqa: E402
from phase_support import CLASSES, make_run_folder  # noqa: E402

from harness.phases import run_predict, run_train  # noqa: E402
from harness.phases.outcome import Status  # noqa: E402
from harness.runners.docker import DockerRunner  # noqa: E402
from harness.runners.docker.gpu_watch import GPU_INTERVAL_S, container_pids  # noqa: E402
from harness.runners.process.runner import ProcessRunner  # noqa: E402


def overhead_s(runner, root: Path, repeats: int) -> list[float]:
    folder = make_run_folder(root)
    spec = dataclasses.replace(folder.train_spec("constant"), command=("python", "-c", "pass"))
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        info = runner.launch(spec).wait(120)
        times.append(time.perf_counter() - started)
        assert info is not None and info.exit_code == 0
    return times


def toy_s(runner, root: Path) -> tuple[float, float, float]:
    folder = make_run_folder(root)
    train = run_train(runner, folder.train_spec("centroid"), 60, 1, folder.model_dir)
    assert train.status is Status.OK, train.reason
    spec = folder.predict_spec("centroid")
    predict, answers = run_predict(runner, spec, folder.requests, CLASSES, FAST)
    assert predict.status is Status.OK, predict.reason
    median_latency = statistics.median(a.latency_s for a in answers)
    return train.wall_s, predict.wall_s, median_latency


ENGINE_PROCESSES = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2")


def _engine_cpu_s() -> float:
    """CPU seconds of the engine's processes and their finished children (the ps top runs)."""
    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ENGINE_PROCESSES:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system + times.children_user + times.children_system
    return total


def gpu_watch_cost(runner: DockerRunner, image: str, readings: int) -> tuple[float, float, float]:
    """Per reading: wall ms, engine CPU ms, harness CPU ms, on a sleeping container."""
    container = runner.client.containers.run(image, ["sleep", "600"], detach=True, remove=True)
    try:
        own, engine = os.times(), _engine_cpu_s()
        started = time.perf_counter()
        for _ in range(readings):
            assert container_pids(runner.client.api, container.id)
        wall = time.perf_counter() - started
        own_after, engine_after = os.times(), _engine_cpu_s()
    finally:
        container.kill()
    harness_cpu = (own_after.user - own.user) + (own_after.system - own.system)
    per = 1000.0 / readings
    return wall * per, (engine_after - engine) * per, harness_cpu * per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--image", default="onlinesim-base:latest")
    parser.add_argument("--readings", type=int, default=200, help="GPU-watch pid listings")
    args = parser.parse_args()
    subprocess.run([str(ROOT / "scripts" / "ensure_docker.sh")], check=True)
    runners = {"process": ProcessRunner(), "docker": DockerRunner(image=args.image)}
    print("| runner | phase overhead median (s) | max (s) | repeats |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for name, runner in runners.items():
            times = overhead_s(runner, Path(scratch) / f"o-{name}", args.repeats)
            print(f"| {name} | {statistics.median(times):.3f} | {max(times):.3f} | {len(times)} |")
        print()
        print("| runner | centroid train wall (s) | predict wall (s) | median latency (ms) |")
        print("|---|---|---|---|")
        for name, runner in runners.items():
            train_s, predict_s, latency = toy_s(runner, Path(scratch) / f"t-{name}")
            print(f"| {name} | {train_s:.2f} | {predict_s:.2f} | {latency * 1000:.1f} |")
    print()
    wall_ms, engine_ms, own_ms = gpu_watch_cost(runners["docker"], args.image, args.readings)
    share = (engine_ms + own_ms) / (GPU_INTERVAL_S * 1000) * 100
    print(
        "| GPU watch, per reading | wall (ms) | engine CPU (ms) | harness CPU (ms) | % of a core |"
    )
    print("|---|---|---|---|---|")
    print(
        f"| {args.readings} readings | {wall_ms:.1f} | {engine_ms:.2f} | {own_ms:.2f} "
        f"| {share:.2f} |"
    )


if __name__ == "__main__":
    main()
