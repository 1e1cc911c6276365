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


def coordinates(batch: list[Draw], cache_size: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each copy's output rows and columns read the cache: two (n, size) arrays of
    source positions in cache pixels, pixel centres aligned as in a resize."""
    centres = (np.arange(size) + 0.5) / size  # of the crop's side
    rows = [(d.top + d.scale * centres) * cache_size - 0.5 for d in batch]
    columns = [
        (d.left + d.scale * (centres[::-1] if d.flip else centres)) * cache_size - 0.5
        for d in batch
    ]
    return tuple(np.clip(np.stack(a), 0, cache_size - 1).astype("float32") for a in (rows, columns))


def brightness(batch: list[Draw]) -> np.ndarray:
    return np.asarray([[d.brightness] for d in batch], dtype="float32")


def _sample_rows(x, positions):
    """Bilinear rows of x (n, h, w, c) at `positions` (n, out) -> (n, out, w, c) float32.

    Two row gathers from x flattened over the batch, then one blend: on TensorFlow's
    CPU kernels cheaper than the affine transform plus resize it replaced (bench_features,
    docs/benchmarks.md), and the gathers can read uint8, so the copy becomes float only
    at the output size.
    """
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    below = ops.floor(positions)
    weight = ops.expand_dims(ops.expand_dims(positions - below, -1), -1)
    below = ops.cast(below, "int32")
    above = ops.minimum(below + 1, h - 1)
    first_row = ops.expand_dims(ops.arange(ops.shape(x)[0], dtype="int32") * h, -1)
    flat = ops.reshape(x, (-1, w, c))

    def rows(index):
        picked = ops.take(flat, ops.reshape(index + first_row, (-1,)), axis=0)
        return ops.cast(ops.reshape(picked, (-1, positions.shape[1], w, c)), "float32")

    low = rows(below)
    return low + (rows(above) - low) * weight


def _swap_axes(x):
    return ops.transpose(x, (0, 2, 1, 3))


class CopyLayer(keras.layers.Layer):
    """uint8 cached pixels + sampling positions + brightness -> the backbone's normalised input.

    The crop, flip and resize are one separable bilinear sampling (columns, then rows).
    Shrinking a whole picture from the cache to a smaller input (at most by the
    ratio of the input sizes, 260/224 for the default members) is not antialiased.
    """

    def __init__(self, size: int, pre: Preprocessing, **kwargs) -> None:
        super().__init__(dtype="float32", **kwargs)
        self.size = size
        self.pre = pre  # mean in the channel order after the optional reversal to BGR

    def call(self, pixels, rows, columns, gain):
        x = _swap_axes(_sample_rows(_swap_axes(pixels), columns))
        x = _sample_rows(x, rows)
        x = ops.clip(x * ops.reshape(gain, (-1, 1, 1, 1)), 0.0, 255.0)
        if self.pre.bgr:
            x = ops.flip(x, axis=-1)
        return (x - ops.convert_to_tensor(self.pre.mean, "float32")) / self.pre.scale

    def compute_output_spec(self, pixels, rows, columns, gain):
        return keras.KerasTensor((pixels.shape[0], self.size, self.size, 3), "float32")


def copy_model(bottom: keras.Model, size: int, cache_size: int, pre: Preprocessing) -> keras.Model:
    """Inputs (pixels, rows, columns, brightness) -> the bottom's activations of that copy."""
    pixels = keras.Input((cache_size, cache_size, 3), dtype="uint8", name="pixels")
    rows = keras.Input((size,), name="rows")
    columns = keras.Input((size,), name="columns")
    gain = keras.Input((1,), name="brightness")
    x = CopyLayer(size, pre, name="copy")(pixels, rows, columns, gain)
    return keras.Model([pixels, rows, columns, gain], bottom(x), name=f"{bottom.name}_copies")
