"""The served predictor on this CPU: setup, per-image latency, and where the time goes.

Trains the contest fixture (tests/toys/contest_savedmodel) once on generated
32 px images, then talks to the harness's served program directly over the
JSON-lines protocol. Per image, the program reports its own preprocessing
(decode, resize, normalise) and inference times; the rest of the round trip
is the protocol (write the request, read the answer).

    PYTHONPATH=$PWD .venv/bin/python bench/bench_served.py --images 300
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from harness.data.demo import make_image_set
from harness.package.serve_settings import ServeSettings
from harness.phases.served import served_command

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "toys" / "contest_savedmodel"
CLASSES = ("circle", "square", "triangle")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        model = _train(root)
        test = make_image_set(root / "test", CLASSES, args.images // 3 + 1, size=32, seed=1)
        paths = sorted(test.rglob("*.jpg"))[: args.images]
        command = list(served_command(SETTINGS, CLASSES))
        command[0] = sys.executable
        env = {**os.environ, "MODEL_INFERENCE_PATH": str(model)}
        started = time.perf_counter()
        program = subprocess.Popen(
            command, cwd=FIXTURE, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert json.loads(program.stdout.readline()) == {"ready": True}
        setup = time.perf_counter() - started
        total, pre, infer = [], [], []
        for number, path in enumerate(paths):
            sent = time.perf_counter()
            program.stdin.write(json.dumps({"id": str(number), "path": str(path)}) + "\n")
            program.stdin.flush()
            answer = json.loads(program.stdout.readline())
            total.append(time.perf_counter() - sent)
            pre.append(answer["timing"]["preprocess_s"])
            infer.append(answer["timing"]["inference_s"])
        program.stdin.close()
        program.wait()
    other = [t - p - i for t, p, i in zip(total, pre, infer, strict=True)]
    print(f"setup (start to ready): {setup:.2f} s; {len(paths)} images, 32 px fixture model")
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
