"""Memory of one batch through the EfficientNet-Lite bottom: nested blocks vs one flat model.

Keras's functional call keeps every layer's output until the call returns.
TensorFlow's compiled predict frees them early; eager torch does not, so the
submission builds its bottom from one nested model per block
(submission/garbage/efficientnet_lite.py). This bench measures what that buys:
for each backend and layout, a fresh process builds the bottom (random
weights: memory does not depend on their values), runs `predict_on_batch` on
one batch, and reports the process's peak RSS (imports, building the one
layout, the calls), the GPU memory the calls added when the backend runs on a
GPU (torch's and jax's allocator peaks), and the median time of `--repeats`
calls (the first traces or compiles, so 3 or more keep it out of the median).
The nested case then builds the flat layout on the same layers (same
weights) and says whether the outputs agree.

    .venv/bin/python bench/bench_lite_memory.py --backends tensorflow torch --variant lite2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ("flat", "nested")


def measure(variant: str, layout: str, batch: int, repeats: int, top_blocks: int) -> dict:
    """One case, in this process: its peak RSS, GPU growth and median time.

    Only the measured layout is built before the peak is read; the nested case
    builds the flat layout afterwards, for the output check.
    """
    import keras
    import numpy as np

    sys.path.insert(0, str(ROOT / "submission"))
    from garbage.efficientnet_lite import VARIANTS, LiteLayers

    size = VARIANTS[variant][2]
    lite = LiteLayers(variant)
    build = lite.bottom if layout == "nested" else lite.flat_bottom
    model = build(size, top_blocks)
    images = np.random.default_rng(0).uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    gpu = _GpuPeak()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        out = np.asarray(model.predict_on_batch(images))
        times.append(time.perf_counter() - started)
    row = {
        "backend": keras.backend.backend(),
        "layout": layout,
        "variant": variant,
        "batch": batch,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "gpu_added_mib": gpu.added_mib(),
        "median_s": round(statistics.median(times), 3),
        "agrees_with_flat": None,
    }
    if layout == "nested":
        flat = lite.flat_bottom(size, top_blocks)
        expected = np.asarray(flat.predict_on_batch(images[:2]))
        row["agrees_with_flat"] = bool(np.allclose(out[:2], expected, atol=1e-4))
    return row


class _GpuPeak:
    """The GPU memory a backend's allocator has handed out at its peak (torch, jax); None on CPU."""

    def __init__(self) -> None:
        import keras

        self.read = None
        if keras.backend.backend() == "torch":
            import torch

            if torch.cuda.is_available():
                self.read = torch.cuda.max_memory_allocated
        elif keras.backend.backend() == "jax":
            import jax

            device = jax.devices()[0]
            if device.platform == "gpu":
                self.read = lambda: device.memory_stats()["peak_bytes_in_use"]
        self.start = self.read() if self.read else None

    def added_mib(self) -> int | None:
        return round((self.read() - self.start) / 2**20) if self.read else None


def run_case(backend: str, layout: str, args) -> dict:
    """A fresh process per case, so one case's peak RSS cannot hide another's."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    argv = [sys.executable, __file__, "--one", layout, "--variant", args.variant]
    argv += ["--batch", str(args.batch), "--repeats", str(args.repeats)]
    argv += ["--top-blocks", str(args.top_blocks)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{backend}/{layout} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "torch"])
    parser.add_argument("--variant", default="lite2")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top-blocks", type=int, default=2, help="as in submission/config.toml")
    parser.add_argument("--one", choices=LAYOUTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.batch < 1 or args.repeats < 1:
        parser.error("--batch and --repeats must be 1 or more")
    if args.one:
        print(
            json.dumps(measure(args.variant, args.one, args.batch, args.repeats, args.top_blocks))
        )
        return
    print(f"{'backend':<11} {'layout':<7} {'peak RSS':>9} {'GPU added':>10} {'median s':>9}")
    for backend in args.backends:
        rows = {layout: run_case(backend, layout, args) for layout in LAYOUTS}
        for row in rows.values():
            gpu = "-" if row["gpu_added_mib"] is None else f"{row['gpu_added_mib']:,} MiB"
            print(
                f"{row['backend']:<11} {row['layout']:<7} {row['peak_rss_mib']:>5,} MiB "
                f"{gpu:>10} {row['median_s']:>9.3f}"
            )
        print(f"{backend}: nested output equals flat: {rows['nested']['agrees_with_flat']}")


if __name__ == "__main__":
    main()
