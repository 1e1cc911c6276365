"""Docker runner costs: container overhead per phase, and one toy under both runners.

Overhead = a phase whose program does nothing (`python -c pass`), launched and
waited through the runner: create + start + wait + remove for docker, spawn +
wait for the process runner. The toy rows run the `centroid` toy's train and
predict phases (generated 32 px images) through `run_train` / `run_predict`.
Needs an engine and the base image (scripts/ensure_docker.sh,
docker/build_base_image.sh).

    .venv/bin/python bench/bench_docker.py --repeats 10
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "docker")]

from docker_support import FAST  # noqa: E402
from phase_support import CLASSES, make_run_folder  # noqa: E402

from harness.outcome import Status  # noqa: E402
from harness.phases import run_predict, run_train  # noqa: E402
from harness.runners.docker import DockerRunner  # noqa: E402
from harness.runners.process import ProcessRunner  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--image", default="onlinesim-base:latest")
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


if __name__ == "__main__":
    main()
