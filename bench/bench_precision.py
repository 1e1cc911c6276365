"""Numeric precision on this machine's CPU: float32 against mixed bfloat16, per backbone.

`garbage/device.py` keeps float32 on a CPU and uses mixed precision only on a
GPU. This measures whether that holds here: per backbone and policy, ms per
image of the frozen bottom (inference, batch 32) and of one training step of
top blocks + a dense head on the bottom's activations (what fine-tuning runs).
The policies alternate over `--rounds`, so load on a shared machine falls on
both; each round is one untimed warm-up call (tracing) and `--batches` timed ones.
The ratio is bfloat16 time over float32 time: above 1, bfloat16 is slower.

    .venv/bin/python bench/bench_precision.py [--backbones efficientnet_lite0 efficientnet_lite2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "submission"))
from garbage.tf_switches import set_before_import  # noqa: E402

set_before_import(log_level="2")  # as the submission runs TensorFlow
import keras  # noqa: E402
from garbage import backbones  # noqa: E402

POLICIES = ("float32", "mixed_bfloat16")
BATCH = 32
CLASSES = 6


def build(name: str, policy: str, top_blocks: int) -> tuple[keras.Model, keras.Model, int]:
    """The frozen bottom and a trainable top + head model under `policy`, compiled."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        spec, parts = backbones.build(name, top_blocks, pretrained=True)
        inp = keras.Input(parts.bottom.output.shape[1:])
        logits = keras.layers.Dense(CLASSES)(parts.top(inp))
        out = keras.layers.Activation("softmax", dtype="float32")(logits)
        trainer = keras.Model(inp, out)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    trainer.compile(optimizer=keras.optimizers.Adam(1e-4), loss="categorical_crossentropy")
    return parts.bottom, trainer, spec.input_size


def ms_per_image(step, batches: int) -> float:
    step()  # untimed: the first call traces
    t0 = time.perf_counter()
    for _ in range(batches):
        step()
    return (time.perf_counter() - t0) / (batches * BATCH) * 1000


def bench(name: str, rounds: int, batches: int, top_blocks: int) -> dict:
    rng = np.random.default_rng(0)
    models = {p: build(name, p, top_blocks) for p in POLICIES}
    size = models["float32"][2]
    pixels = rng.uniform(-1, 1, (BATCH, size, size, 3)).astype("float32")
    labels = keras.utils.to_categorical(rng.integers(0, CLASSES, BATCH), CLASSES)
    acts = {  # the fine-tune step's input: the bottom's activations, once per policy
        p: np.asarray(bottom.predict_on_batch(pixels)).astype("float32")
        for p, (bottom, _trainer, _size) in models.items()
    }
    times = {p: {"bottom": [], "train": []} for p in POLICIES}
    for _ in range(rounds):
        for policy, (bottom, trainer, _) in models.items():
            act = acts[policy]
            times[policy]["bottom"].append(
                ms_per_image(lambda b=bottom: b.predict_on_batch(pixels), batches)
            )
            times[policy]["train"].append(
                ms_per_image(lambda t=trainer, a=act: t.train_on_batch(a, labels), batches)
            )
    row = {"backbone": name, "input_size": size}
    for part in ("bottom", "train"):
        for policy in POLICIES:
            row[f"{part}_{policy}_ms"] = [round(v, 2) for v in times[policy][part]]
        row[f"{part}_bf16_over_fp32"] = round(
            statistics.median(times["mixed_bfloat16"][part])
            / statistics.median(times["float32"][part]),
            2,
        )
    return row


def step_arguments(description: str) -> argparse.ArgumentParser:
    """The options of the timed steps, shared with bench_onednn.py."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--backbones", nargs="+", default=["efficientnet_lite0", "efficientnet_lite2"]
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--top-blocks", type=int, default=2)
    return parser


def main() -> None:
    args = step_arguments(__doc__.splitlines()[0]).parse_args()
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}, batch {BATCH}")
    for name in args.backbones:
        print(json.dumps(bench(name, args.rounds, args.batches, args.top_blocks)), flush=True)


if __name__ == "__main__":
    main()
