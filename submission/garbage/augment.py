"""Copies of cached images for the backbone: random crop, flip and brightness, on its device.

Each copy's draw is four numbers from the image's own generator, seeded by
(run seed, copy, stable image id), so a copy does not depend on batching or on
the number of workers. The pixels are transformed with `keras.ops` inside the
feature model, on whatever device the backbone runs (TensorFlow, torch or jax).
Crop offsets are fractions of the side, so a draw means the same crop at any
cache size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import ops

from garbage.backbones import Preprocessing
from garbage.images import stable_image_id

MIRRORED = -1  # copy number of the left-right mirrored image (test-time augmentation)


@dataclass(frozen=True)
class Draw:
    """One copy of one image: a square crop (side and offsets as fractions), flip, brightness."""

    scale: float = 1.0
    left: float = 0.0
    top: float = 0.0
    flip: bool = False
    brightness: float = 1.0


def draw(seed: int, copy: int, image_id: int) -> Draw:
    """Copy 0 is the plain image, MIRRORED its mirror, 1..k random crops (60-100 % of the
    side), flips and brightness (x0.8-1.2)."""
    if copy == 0:
        return Draw()
    if copy == MIRRORED:
        return Draw(flip=True)
    rng = np.random.default_rng([seed, copy - MIRRORED, image_id])
    scale = float(rng.uniform(0.6, 1.0))
    left, top = (float(v) for v in rng.uniform(0.0, 1.0 - scale, 2))
    return Draw(scale, left, top, bool(rng.random() < 0.5), float(rng.uniform(0.8, 1.2)))


def draws(paths: list[Path], copy: int, seed: int) -> list[Draw]:
    return [draw(seed, copy, stable_image_id(p)) for p in paths]


def transforms(batch: list[Draw], size: int) -> np.ndarray:
    """Keras affine transforms (n, 8): output pixel (x, y) reads input (a0 x + a2, b1 y + b2)."""
    out = np.zeros((len(batch), 8), dtype="float32")
    for i, d in enumerate(batch):
        a0, a2 = d.scale, d.left * size
        if d.flip:
            a0, a2 = -d.scale, d.left * size + (size - 1) * d.scale
        out[i, [0, 2, 4, 5]] = a0, a2, d.scale, d.top * size
    return out


def brightness(batch: list[Draw]) -> np.ndarray:
    return np.asarray([[d.brightness] for d in batch], dtype="float32")


class CopyLayer(keras.layers.Layer):
    """uint8 cached pixels + transform + brightness -> the backbone's normalised input."""

    def __init__(self, size: int, pre: Preprocessing, **kwargs) -> None:
        super().__init__(dtype="float32", **kwargs)
        self.size = size
        self.pre = pre  # mean in the channel order after the optional reversal to BGR

    def call(self, pixels, transform, gain):
        x = ops.cast(pixels, "float32")
        x = ops.image.affine_transform(x, transform, interpolation="bilinear", fill_mode="nearest")
        if x.shape[1] != self.size:
            x = ops.image.resize(x, (self.size, self.size), antialias=True)
        x = ops.clip(x * ops.reshape(gain, (-1, 1, 1, 1)), 0.0, 255.0)
        if self.pre.bgr:
            x = ops.flip(x, axis=-1)
        return (x - ops.convert_to_tensor(self.pre.mean, "float32")) / self.pre.scale

    def compute_output_spec(self, pixels, transform, gain):
        return keras.KerasTensor((pixels.shape[0], self.size, self.size, 3), "float32")


def copy_model(bottom: keras.Model, size: int, cache_size: int, pre: Preprocessing) -> keras.Model:
    """Inputs (pixels, transform, brightness) -> the bottom's activations of that copy."""
    pixels = keras.Input((cache_size, cache_size, 3), dtype="uint8", name="pixels")
    transform = keras.Input((8,), name="transform")
    gain = keras.Input((1,), name="brightness")
    x = CopyLayer(size, pre, name="copy")(pixels, transform, gain)
    return keras.Model([pixels, transform, gain], bottom(x), name=f"{bottom.name}_copies")
