"""Batch size and numeric precision chosen from the device the backbones run on.

On a GPU with tensor cores, half precision roughly doubles the frozen
backbone's throughput and halves its activations; a CPU gains nothing from it
(and TensorFlow's CPU kernels for float16 are slow), so it keeps float32:
mixed bfloat16 was 0.94 to 1.13 times float32's time on the dev machine's CPU
(bench/bench_precision.py, docs/benchmarks.md "Numeric precision on this CPU").
Under a GPU memory limit (onlinesim's ONLINESIM_GPU_MEMORY_BYTES) the batch
comes from a probe: the peak memory of two small batches, extrapolated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras

CPU_BATCH = 32
GPU_BATCH = 128
GPU_MEMORY_LIMIT_ENV = "ONLINESIM_GPU_MEMORY_BYTES"
PROBE_BATCHES = (8, 16)
# Share of the GPU limit the feature batches may plan on: the head, fine-tuning's
# gradients and the allocator's fragmentation need the rest.
GPU_MEMORY_SHARE = 0.7


@dataclass(frozen=True)
class Device:
    platform: str  # "cpu" or "gpu"
    capability: tuple[int, int] | None = None  # CUDA compute capability of a GPU, when known


@dataclass(frozen=True)
class ComputePlan:
    batch: int
    policy: str  # a keras.mixed_precision policy name


def plan_for(device: Device) -> ComputePlan:
    """bfloat16 from Ampere (8.0) on, float16 on Volta and Turing (7.x), float32 otherwise."""
    if device.platform != "gpu":
        return ComputePlan(CPU_BATCH, "float32")
    major = device.capability[0] if device.capability else 0
    if major >= 8:
        return ComputePlan(GPU_BATCH, "mixed_bfloat16")
    if major >= 7:
        return ComputePlan(GPU_BATCH, "mixed_float16")
    return ComputePlan(GPU_BATCH, "float32")


def detect() -> Device:
    """The first accelerator Keras's backend sees, else the CPU."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            cc = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability")
            return Device("gpu", tuple(cc) if cc else None)
    elif backend == "torch":
        import torch

        if torch.cuda.is_available():
            return Device("gpu", tuple(torch.cuda.get_device_capability(0)))
    elif backend == "jax":
        import jax

        first = jax.devices()[0]
        if first.platform == "gpu":
            cc = getattr(first, "compute_capability", None)
            return Device("gpu", tuple(int(v) for v in cc.split(".")) if cc else None)
    return Device("cpu")


def batch_for_memory(
    peaks: dict[int, int], limit_bytes: int, ceiling: int, share: float = GPU_MEMORY_SHARE
) -> int:
    """The largest power of two up to `ceiling` whose peak memory, extrapolated linearly from
    the peaks measured at two batch sizes, fits `share` of the limit; 1 when none does."""
    (small, small_peak), (large, large_peak) = sorted(peaks.items())[:2]
    per_image = max(0.0, (large_peak - small_peak) / (large - small))
    fixed = small_peak - per_image * small
    batch = ceiling
    while batch > 1 and fixed + per_image * batch > share * limit_bytes:
        batch //= 2
    return batch


def peak_memory_bytes(run: Callable[[], object]) -> int:
    """Peak GPU memory of the backend's allocator while `run` runs (call it on a GPU only).

    jax cannot reset its peak, so there it is the process's peak so far: probe the
    smaller batch first.
    """
    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        torch.cuda.reset_peak_memory_stats()
        run()
        torch.cuda.synchronize()
        return int(torch.cuda.max_memory_allocated())
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.reset_memory_stats("GPU:0")
        run()
        return int(tf.config.experimental.get_memory_info("GPU:0")["peak"])
    import jax

    run()
    return int(jax.devices()[0].memory_stats()["peak_bytes_in_use"])


def probed_batch(
    run_batch: Callable[[int], object],
    n_images: int,
    limit_bytes: int,
    ceiling: int,
    peak: Callable[[Callable[[], object]], int] = peak_memory_bytes,
) -> tuple[int, dict[int, int]]:
    """The batch size for a GPU memory limit, from the `peak` memory of `run_batch(n)` at
    PROBE_BATCHES; the plan's `ceiling` when the data set is smaller than the probe."""
    if n_images < max(PROBE_BATCHES):
        return ceiling, {}
    peaks = {n: peak(lambda n=n: run_batch(n)) for n in PROBE_BATCHES}
    return batch_for_memory(peaks, limit_bytes, ceiling), peaks
