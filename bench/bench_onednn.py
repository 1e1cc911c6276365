"""TensorFlow's oneDNN kernels on and off on this machine's CPU, per backbone.

TensorFlow turns oneDNN on by itself only on CPUs with AVX-512 features; the
submission turns it on everywhere (`garbage/tf_switches.py`). TensorFlow reads
the switch once, at import, so each measurement is a child process with
`TF_ENABLE_ONEDNN_OPTS` set to 0 or 1, the two alternating over `--rounds` so
load on a shared machine falls on both. A child times what `bench_precision.py`
times, in float32: ms per image of the frozen bottom (inference, batch 32) and
of one training step of top blocks + a dense head on its activations. The
ratio is oneDNN-on time over oneDNN-off time: below 1, oneDNN is faster.

    .venv/bin/python bench/bench_onednn.py [--backbones efficientnet_lite0 efficientnet_lite2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
from bench_precision import BATCH, CLASSES, build, ms_per_image, step_arguments

SWITCH = "TF_ENABLE_ONEDNN_OPTS"


def child(names: list[str], batches: int, top_blocks: int) -> None:
    """One process, one switch setting: prints {backbone: {"bottom": ms, "train": ms}}."""
    rng = np.random.default_rng(0)
    out = {}
    for name in names:
        bottom, trainer, size = build(name, "float32", top_blocks)
        pixels = rng.uniform(-1, 1, (BATCH, size, size, 3)).astype("float32")
        labels = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, BATCH)]
        acts = np.asarray(bottom.predict_on_batch(pixels))
        out[name] = {
            "bottom": ms_per_image(partial(bottom.predict_on_batch, pixels), batches),
            "train": ms_per_image(partial(trainer.train_on_batch, acts, labels), batches),
        }
    print(json.dumps(out))


def cpu() -> str:
    """The CPU's model and the vector features that decide TensorFlow's default."""
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    fields = {
        k.strip(): v.strip() for k, v in (line.split(":", 1) for line in lines if ":" in line)
    }
    model = fields.get("model name") or platform.machine()
    flags = fields.get("flags", "").split()
    vector = sorted(f for f in flags if f.startswith(("avx512", "avx2", "amx")))
    return f"{model}, {' '.join(vector) or 'no AVX2 or AVX-512'}"


def main() -> None:
    parser = step_arguments(__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.backbones, args.batches, args.top_blocks)
        return
    print(cpu())
    command = [sys.executable, __file__, "--child", "--batches", str(args.batches)]
    command += ["--top-blocks", str(args.top_blocks), "--backbones", *args.backbones]
    times: dict[str, list[dict]] = {"0": [], "1": []}
    for _ in range(args.rounds):
        for switch in times:
            env = {**os.environ, SWITCH: switch, "TF_CPP_MIN_LOG_LEVEL": "3"}
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            times[switch].append(json.loads(done.stdout.strip().splitlines()[-1]))
    for name in args.backbones:
        row = {"backbone": name}
        for part in ("bottom", "train"):
            medians = {
                s: statistics.median(r[name][part] for r in runs) for s, runs in times.items()
            }
            row[f"{part}_off_ms"] = round(medians["0"], 2)
            row[f"{part}_on_ms"] = round(medians["1"], 2)
            row[f"{part}_on_over_off"] = round(medians["1"] / medians["0"], 2)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
