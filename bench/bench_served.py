"""The served predictor on this CPU: setup, per-image latency, and where the time goes.

Trains the contest fixture (tests/toys/contest_savedmodel) once on generated
32 px images, then talks to the harness's served program directly over the
JSON-lines protocol. Per image, the program reports its own preprocessing
(decode, resize, normalise) and inference times; the rest of the round trip
is the protocol (write the request, read the answer).

With --reference DATA, it also trains the reference submission once
(contest_train.py: Lite0 alone, no fine-tuning, which exports its SavedModel beside
its own model files), then predicts the same held-out photos both ways on the
same CPUs: served by the harness's OpenVINO program, and by the submission's
own predict.py. Score, setup, per-image p50/p99 of each.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_served.py --images 300 \
        --reference ../shared/data/trashnet
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from harness.data.demo import make_image_set
from harness.package.serve_settings import ServeSettings, parse_serve
from harness.phases.served import served_command

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "toys" / "contest_savedmodel"
CLASSES = ("circle", "square", "triangle")
LOG = Path(tempfile.gettempdir()) / "bench_served_predict.log"  # the last program's stderr
SETTINGS = ServeSettings(input_size=(32, 32), mean=(127.5,) * 3, scale=(127.5,) * 3)


def _train(root: Path) -> Path:
    data = make_image_set(root / "train", CLASSES, 20, size=32)
    model = root / "model"
    env = {
        **os.environ,
        "IMAGE_TRAIN_INPUT_PATH": str(data),
        "MODEL_INFERENCE_PATH": str(model),
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    subprocess.run(
        [sys.executable, "python_package/model.py"],
        cwd=FIXTURE,
        env=env,
        check=True,
        capture_output=True,
    )
    return model


def _ms(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q) * 1000:.2f}"


# The reference submission, small: one frozen Lite0 backbone and its head, no fine-tuning.
REFERENCE_CONFIG = """backbones = ["efficientnet_lite0"]
aug_copies = 1
finetune = false
ensemble = false
"""


@dataclass(frozen=True)
class Served:
    """One predict program's run over the test images: setup, per-image times, answers."""

    setup_s: float
    round_trip_s: list[float]
    answers: list[dict]


def _next_object(stream) -> dict | None:
    """The next JSON line; other stdout lines are skipped, as the harness skips them."""
    for line in stream:
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            continue
    return None


def _predict(command: list[str], cwd: Path, env: dict, paths: list[Path], cpus: set[int]):
    """Start a predict program pinned to `cpus`, wait for ready, ask image by image."""
    try:
        return _ask(command, cwd, env, paths, cpus)
    except (BrokenPipeError, SystemExit):
        print(f"{command[1]} failed; its stderr ends:", LOG.read_text()[-3000:], file=sys.stderr)
        raise


def _ask(command: list[str], cwd: Path, env: dict, paths: list[Path], cpus: set[int]):
    started = time.perf_counter()
    with LOG.open("w") as log:
        program = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            preexec_fn=lambda: os.sched_setaffinity(0, cpus),
        )
    first = _next_object(program.stdout)
    if first != {"ready": True}:
        raise SystemExit(f"{command[1]} was not ready: {first or 'it exited'}")
    setup = time.perf_counter() - started
    totals, answers = [], []
    for number, path in enumerate(paths):
        sent = time.perf_counter()
        program.stdin.write(json.dumps({"id": str(number), "path": str(path)}) + "\n")
        program.stdin.flush()
        answers.append(_next_object(program.stdout))
        totals.append(time.perf_counter() - sent)
    program.stdin.close()
    program.wait()
    return Served(setup, totals, answers)


def _reference(data: Path, root: Path, per_class_train: int, per_class_test: int) -> None:
    """Train the reference submission once; predict the same photos served and with predict.py."""
    package = root / "package"
    shutil.copytree(ROOT / "submission", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "bench_config.toml").write_text(REFERENCE_CONFIG, encoding="utf-8")
    data = data.resolve()
    classes = sorted(p.name for p in data.iterdir() if p.is_dir())
    train, test = root / "reference-train", []
    for name in classes:
        photos = sorted((data / name).glob("*.jpg"))
        (train / name).mkdir(parents=True)
        for photo in photos[:per_class_train]:
            shutil.copy(photo, train / name / photo.name)
        test += [(photo, name) for photo in photos[-per_class_test:]]
    model = root / "ref-model"
    env = {
        **os.environ,
        "IMAGE_TRAIN_INPUT_PATH": str(train),
        "MODEL_INFERENCE_PATH": str(model),
        "ONLINESIM_SUBMISSION_CONFIG": str(package / "bench_config.toml"),
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "contest_train.py"], cwd=package, env=env, check=True, capture_output=True
    )
    trained = time.perf_counter() - started
    sys.path.insert(0, str(package))
    from garbage.savedmodel import serve_settings

    metadata = json.loads((model / "metadata.json").read_text(encoding="utf-8"))
    settings = parse_serve({"serve": "savedmodel", **serve_settings(metadata)}, "bench")
    cpus = os.sched_getaffinity(0)
    paths = [photo for photo, _ in test]
    served_argv = list(served_command(settings, classes))
    served_argv[0] = sys.executable
    runs = {
        "served (harness, OpenVINO on the SavedModel)": _predict(
            served_argv, package, env, paths, cpus
        ),
        "submission's own predict.py (Keras, TensorFlow)": _predict(
            [sys.executable, "predict.py"], package, env, paths, cpus
        ),
    }
    print(
        f"\nreference submission: Lite0 head only ({per_class_train} photos per class, "
        f"trained in {trained:.0f} s), {len(paths)} held-out photos of {data.name}, "
        f"{len(cpus)} CPUs for both; input {settings.input_size[0]} px"
    )
    print("| predict | accuracy % | setup s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for name, run in runs.items():
        right = sum(a["label"] == label for a, (_, label) in zip(run.answers, test, strict=True))
        print(
            f"| {name} | {100 * right / len(test):.1f} | {run.setup_s:.2f} | "
            f"{_ms(run.round_trip_s, 50)} | {_ms(run.round_trip_s, 99)} |"
        )
    served = runs["served (harness, OpenVINO on the SavedModel)"].answers
    own = runs["submission's own predict.py (Keras, TensorFlow)"].answers
    same = sum(a["label"] == b["label"] for a, b in zip(served, own, strict=True))
    print(f"the two agree on {same} of {len(test)} photos")
    pre = [a["timing"]["preprocess_s"] for a in served]
    infer = [a["timing"]["inference_s"] for a in served]
    print(f"served, per image: preprocess p50 {_ms(pre, 50)} ms, inference p50 {_ms(infer, 50)} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--reference", type=Path, help="a photo set: also bench the reference")
    parser.add_argument("--train-per-class", type=int, default=20)
    parser.add_argument("--test-per-class", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        model = _train(root)
        test = make_image_set(root / "test", CLASSES, args.images // 3 + 1, size=32, seed=1)
        paths = sorted(test.rglob("*.jpg"))[: args.images]
        command = list(served_command(SETTINGS, CLASSES))
        command[0] = sys.executable
        env = {**os.environ, "MODEL_INFERENCE_PATH": str(model)}
        run = _predict(command, FIXTURE, env, paths, os.sched_getaffinity(0))
        _report_fixture(run, len(paths))
        if args.reference:
            _reference(args.reference, root, args.train_per_class, args.test_per_class)


def _report_fixture(run: Served, images: int) -> None:
    total = run.round_trip_s
    pre = [a["timing"]["preprocess_s"] for a in run.answers]
    infer = [a["timing"]["inference_s"] for a in run.answers]
    other = [t - p - i for t, p, i in zip(total, pre, infer, strict=True)]
    print(f"setup (start to ready): {run.setup_s:.2f} s; {images} images, 32 px fixture model")
    print("| part | p50 ms | p99 ms |")
    print("|---|---|---|")
    for name, values in (
        ("round trip (request written to answer read)", total),
        ("preprocess: decode, resize, normalise", pre),
        ("model inference (OpenVINO)", infer),
        ("protocol and answer (rest)", other),
    ):
        print(f"| {name} | {_ms(values, 50)} | {_ms(values, 99)} |")


if __name__ == "__main__":
    main()
