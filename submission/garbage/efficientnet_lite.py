"""EfficientNet-Lite0/1/2 in Keras 3, layer for layer as the PyTorch package builds it.

Built from stock Keras layers only (no custom layers), so a saved model loads
on any backend with no custom objects. The layers are created once and shared
between a bottom part (stem + first blocks) and a top part (last blocks + head
conv + pooling): features are cached at the split, and fine-tuning trains the
top on that cache instead of re-running the whole network on a CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
from keras import layers

# (repeats, kernel, stride, expand, in, out) of the seven stages, shared by every Lite variant.
_STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
# name -> (width multiplier, depth multiplier, native resolution)
VARIANTS = {
    "lite0": (1.0, 1.0, 224),
    "lite1": (1.0, 1.1, 240),
    "lite2": (1.1, 1.2, 260),
}
STEM_FILTERS = 32
HEAD_FILTERS = 1280
BN_EPSILON = 1e-3


@dataclass(frozen=True)
class BlockConfig:
    kernel: int
    stride: int
    expand: int
    filters_in: int
    filters_out: int


def round_filters(filters: int, width: float) -> int:
    """TF's rounding of channel counts to multiples of 8 (never more than 10% down)."""
    if width == 1.0:
        return filters
    scaled = filters * width
    rounded = max(8, int(scaled + 4) // 8 * 8)
    if rounded < 0.9 * scaled:
        rounded += 8
    return int(rounded)


def block_configs(variant: str) -> list[BlockConfig]:
    """Every MBConv block of a variant, in order; Lite keeps stem, first and last stage unscaled."""
    width, depth, _ = VARIANTS[variant]
    blocks = []
    last = len(_STAGES) - 1
    for i, (repeats, kernel, stride, expand, f_in, f_out) in enumerate(_STAGES):
        f_in = STEM_FILTERS if i == 0 else round_filters(f_in, width)
        f_out = round_filters(f_out, width)
        if i not in (0, last):
            repeats = int(math.ceil(depth * repeats))
        for r in range(repeats):
            blocks.append(
                BlockConfig(
                    kernel, stride if r == 0 else 1, expand, f_in if r == 0 else f_out, f_out
                )
            )
    return blocks


class LiteLayers:
    """All layers of one network, by block; call bottom()/top() to build the two parts."""

    def __init__(self, variant: str) -> None:
        if variant not in VARIANTS:
            raise ValueError(
                f"unknown EfficientNet-Lite variant {variant!r}; valid: {sorted(VARIANTS)}"
            )
        self.variant = variant
        self.blocks = block_configs(variant)
        self.stem = [
            layers.Conv2D(STEM_FILTERS, 3, 2, "same", use_bias=False, name="stem_conv"),
            layers.BatchNormalization(epsilon=BN_EPSILON, name="stem_bn"),
            layers.ReLU(6.0, name="stem_relu6"),
        ]
        self.block_layers = [self._make_block(i, b) for i, b in enumerate(self.blocks)]
        self.head = [
            layers.Conv2D(HEAD_FILTERS, 1, use_bias=False, name="head_conv"),
            layers.BatchNormalization(epsilon=BN_EPSILON, name="head_bn"),
            layers.ReLU(6.0, name="head_relu6"),
        ]
        self.pool = layers.GlobalAveragePooling2D(name="avg_pool")

    @staticmethod
    def _make_block(i: int, b: BlockConfig) -> dict:
        mid = b.filters_in * b.expand
        p = f"block{i}_"
        parts = {}
        if b.expand != 1:
            parts["expand_conv"] = layers.Conv2D(mid, 1, use_bias=False, name=p + "expand_conv")
            parts["expand_bn"] = layers.BatchNormalization(epsilon=BN_EPSILON, name=p + "expand_bn")
            parts["expand_relu6"] = layers.ReLU(6.0, name=p + "expand_relu6")
        parts["dwconv"] = layers.DepthwiseConv2D(
            b.kernel, b.stride, "same", use_bias=False, name=p + "dwconv"
        )
        parts["dw_bn"] = layers.BatchNormalization(epsilon=BN_EPSILON, name=p + "dw_bn")
        parts["dw_relu6"] = layers.ReLU(6.0, name=p + "dw_relu6")
        parts["project_conv"] = layers.Conv2D(
            b.filters_out, 1, use_bias=False, name=p + "project_conv"
        )
        parts["project_bn"] = layers.BatchNormalization(epsilon=BN_EPSILON, name=p + "project_bn")
        if b.stride == 1 and b.filters_in == b.filters_out:
            parts["add"] = layers.Add(name=p + "add")
        return parts

    def _apply_block(self, i: int, x):
        parts = self.block_layers[i]
        h = x
        for key in ("expand_conv", "expand_bn", "expand_relu6"):
            if key in parts:
                h = parts[key](h)
        for key in ("dwconv", "dw_bn", "dw_relu6", "project_conv", "project_bn"):
            h = parts[key](h)
        return parts["add"]([h, x]) if "add" in parts else h

    def split_index(self, top_blocks: int) -> int:
        if not 0 <= top_blocks <= len(self.blocks):
            raise ValueError(f"top_blocks must be in 0..{len(self.blocks)}, got {top_blocks}")
        return len(self.blocks) - top_blocks

    def bottom(self, image_size: int, top_blocks: int) -> keras.Model:
        """Image (already normalised) -> activations before the last `top_blocks` blocks.

        One nested model per block. A Keras functional model keeps every
        intermediate output of a call alive until the call returns: harmless
        where predict compiles a graph (TensorFlow), but on eager torch a flat
        lite2 bottom held 3 GiB for 32 images. Nested, a block's internals are
        freed when it returns and only the block outputs stay.
        """
        inp = keras.Input((image_size, image_size, 3), name="image")
        x = self._nested("stem", inp, self._apply_stem)
        for i in range(self.split_index(top_blocks)):
            x = self._nested(f"block{i}", x, lambda h, i=i: self._apply_block(i, h))
        return keras.Model(inp, x, name=f"{self.variant}_bottom")

    def _apply_stem(self, x):
        for layer in self.stem:
            x = layer(x)
        return x

    def _nested(self, name: str, x, apply):
        """`apply` wrapped in a model of its own, called on x."""
        inp = keras.Input(tuple(x.shape[1:]), name=f"{name}_input")
        return keras.Model(inp, apply(inp), name=f"{self.variant}_{name}")(x)

    def top(self, split_shape: tuple[int, ...], top_blocks: int) -> keras.Model:
        """Split activations -> pooled 1280-d features."""
        inp = keras.Input(split_shape, name="split_features")
        x = inp
        for i in range(self.split_index(top_blocks), len(self.blocks)):
            x = self._apply_block(i, x)
        for layer in self.head:
            x = layer(x)
        return keras.Model(inp, self.pool(x), name=f"{self.variant}_top")

    def flat_bottom(self, image_size: int, top_blocks: int) -> keras.Model:
        """The bottom as one functional model, the layout of the weights file.

        Keras saves and loads weights by model structure, so the converted
        weights only load into this layout (through full()). bench_lite_memory
        measures it against the nested bottom.
        """
        inp = keras.Input((image_size, image_size, 3), name="image")
        x = self._apply_stem(inp)
        for i in range(self.split_index(top_blocks)):
            x = self._apply_block(i, x)
        return keras.Model(inp, x, name=f"{self.variant}_bottom")

    def full(self, image_size: int) -> keras.Model:
        """Image -> pooled features, the whole network in one model (the weights file's layout)."""
        bottom = self.flat_bottom(image_size, 0)
        top = self.top(tuple(bottom.output.shape[1:]), 0)
        inp = keras.Input((image_size, image_size, 3), name="image")
        return keras.Model(inp, top(bottom(inp)), name=f"efficientnet_{self.variant}")
