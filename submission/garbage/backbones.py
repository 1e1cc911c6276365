"""Backbone registry: name -> builder, with each backbone's input size, preprocessing and weights.

Every backbone is built as two parts split at a block boundary: `bottom`
(image -> activations, run once per image and cached) and `top` (activations
-> pooled features, cheap, and the part fine-tuning trains). Weights come only
from files in submission/weights/ (no network at run time).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
from keras import layers

from garbage.efficientnet_lite import VARIANTS, LiteLayers

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"


class UnknownBackboneError(ValueError):
    """A backbone name that is not in the registry."""


class MissingWeightsError(RuntimeError):
    """A pretrained backbone's weights file is not in submission/weights/."""


@dataclass(frozen=True)
class Preprocessing:
    """pixel (RGB, 0..255) -> (pixel[, reversed to BGR] - mean) / scale, per channel mean."""

    mean: tuple[float, float, float]
    scale: float
    bgr: bool = False

    def to_dict(self) -> dict:
        return {"mean": list(self.mean), "scale": self.scale, "bgr": self.bgr}


@dataclass(frozen=True)
class Parts:
    bottom: keras.Model
    top: keras.Model


@dataclass(frozen=True)
class BackboneSpec:
    name: str
    input_size: int
    preprocessing: Preprocessing
    feature_width: int
    weights_file: str | None  # inside submission/weights/; None = no pretrained weights exist
    make_weights: str  # how a user makes the weights file
    build: Callable[[BackboneSpec, int, Path | None], Parts]  # (spec, top_blocks, weights path)
    fine_tunable: bool = True

    def weights_path(self) -> Path | None:
        return None if self.weights_file is None else WEIGHTS_DIR / self.weights_file


PLATFORM = Preprocessing((127.5, 127.5, 127.5), 127.5)  # what the contest's platform did
LITE = Preprocessing((127.0, 127.0, 127.0), 128.0)  # what EfficientNet-Lite was trained with
RAW = Preprocessing((0.0, 0.0, 0.0), 1.0)  # keras.applications models that normalise inside
CAFFE = Preprocessing((103.939, 116.779, 123.68), 1.0, bgr=True)


def _build_lite(spec: BackboneSpec, top_blocks: int, weights: Path | None) -> Parts:
    net = LiteLayers(spec.name.removeprefix("efficientnet_"))
    full = net.full(spec.input_size)
    if weights is not None:
        full.load_weights(weights)
    bottom = net.bottom(spec.input_size, top_blocks)
    return Parts(bottom, net.top(tuple(bottom.output.shape[1:]), top_blocks))


def _pool_top(feature_map_shape: tuple[int, ...], name: str) -> keras.Model:
    inp = keras.Input(feature_map_shape, name="split_features")
    return keras.Model(inp, layers.GlobalAveragePooling2D()(inp), name=f"{name}_top")


def _build_tiny(spec: BackboneSpec, top_blocks: int, weights: Path | None) -> Parts:
    """A three-layer random-init CNN for tests: seconds to build and train, no weights file."""
    inp = keras.Input((spec.input_size, spec.input_size, 3), name="image")
    x = layers.Conv2D(8, 3, 2, "same", activation="relu", name="tiny_conv1")(inp)
    x = layers.Conv2D(16, 3, 2, "same", activation="relu", name="tiny_conv2")(x)
    bottom = keras.Model(inp, x, name="tiny_bottom")
    split = keras.Input(tuple(x.shape[1:]), name="split_features")
    y = split
    if top_blocks > 0:
        y = layers.Conv2D(spec.feature_width, 3, 1, "same", activation="relu", name="tiny_conv3")(y)
    else:
        y = layers.Conv2D(spec.feature_width, 1, name="tiny_proj")(y)
    top = keras.Model(split, layers.GlobalAveragePooling2D()(y), name="tiny_top")
    return Parts(bottom, top)


def _application(factory: Callable[..., keras.Model], **kwargs) -> Callable:
    def build(spec: BackboneSpec, top_blocks: int, weights: Path | None) -> Parts:
        shape = (spec.input_size, spec.input_size, 3)
        bottom = factory(include_top=False, weights=None, input_shape=shape, **kwargs)
        if weights is not None:
            bottom.load_weights(weights)
        return Parts(bottom, _pool_top(tuple(bottom.output.shape[1:]), spec.name))

    return build


def _keras_app_hint(name: str, call: str) -> str:
    return (
        f"on a machine with internet: keras.applications.{call}(include_top=False, "
        f"weights='imagenet').save_weights('submission/weights/{name}.weights.h5')"
    )


def _lite_spec(variant: str) -> BackboneSpec:
    return BackboneSpec(
        name=f"efficientnet_{variant}",
        input_size=VARIANTS[variant][2],
        preprocessing=LITE,
        feature_width=1280,
        weights_file=f"efficientnet_{variant}.weights.h5",
        make_weights=f"scripts/setup.sh (in submission/: python -m garbage.convert_lite {variant})",
        build=_build_lite,
    )


def _app_spec(
    name: str, call: str, size: int, width: int, pre: Preprocessing, **kw
) -> BackboneSpec:
    factory = getattr(keras.applications, call)
    return BackboneSpec(
        name=name,
        input_size=size,
        preprocessing=pre,
        feature_width=width,
        weights_file=f"{name}.weights.h5",
        make_weights=_keras_app_hint(name, call),
        build=_application(factory, **kw),
        fine_tunable=False,
    )


REGISTRY: dict[str, BackboneSpec] = {
    spec.name: spec
    for spec in (
        _lite_spec("lite0"),
        _lite_spec("lite1"),
        _lite_spec("lite2"),
        _app_spec("mobilenet_v3_small", "MobileNetV3Small", 224, 576, RAW),
        _app_spec("mobilenet_v3_large", "MobileNetV3Large", 224, 960, RAW),
        _app_spec("efficientnet_b0", "EfficientNetB0", 224, 1280, RAW),
        _app_spec("efficientnet_b1", "EfficientNetB1", 240, 1280, RAW),
        _app_spec("efficientnet_b2", "EfficientNetB2", 260, 1408, RAW),
        _app_spec("efficientnet_b3", "EfficientNetB3", 300, 1536, RAW),
        _app_spec("efficientnet_b4", "EfficientNetB4", 380, 1792, RAW),
        _app_spec("resnet50", "ResNet50", 224, 2048, CAFFE),
        BackboneSpec(
            name="tiny",
            input_size=32,
            preprocessing=PLATFORM,
            feature_width=32,
            weights_file=None,
            make_weights="(none: random initialisation, for tests)",
            build=_build_tiny,
        ),
    )
}


def get_spec(name: str, input_size: int | None = None) -> BackboneSpec:
    """The registered spec, read at `input_size` when one is given (the weights fit any size)."""
    try:
        spec = REGISTRY[name]
    except KeyError:
        valid = ", ".join(REGISTRY)
        raise UnknownBackboneError(f"unknown backbone {name!r}; valid names: {valid}") from None
    return spec if input_size is None else dataclasses.replace(spec, input_size=input_size)


def build(
    name: str, top_blocks: int, pretrained: bool = True, input_size: int | None = None
) -> tuple[BackboneSpec, Parts]:
    """Build a backbone split `top_blocks` blocks from the end, with its weights file loaded."""
    spec = get_spec(name, input_size)
    weights = spec.weights_path() if pretrained else None
    if weights is not None and not weights.is_file():
        raise MissingWeightsError(
            f"backbone {name!r} needs its weights file {weights}, which is missing; "
            f"make it with: {spec.make_weights}"
        )
    if not spec.fine_tunable:
        top_blocks = 0
    return spec, spec.build(spec, top_blocks, weights)
