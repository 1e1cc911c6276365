"""Batch size and numeric precision chosen from the device the backbones run on.

On a GPU with tensor cores, half precision roughly doubles the frozen
backbone's throughput and halves its activations; a CPU gains nothing from it
(and TensorFlow's CPU kernels for float16 are slow), so it keeps float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

CPU_BATCH = 32
GPU_BATCH = 128


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
