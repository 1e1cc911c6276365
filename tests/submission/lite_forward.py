"""Run as a script: EfficientNet-Lite0 with its converted weights on a fixed input.

Keras fixes its backend per process, so the torch-vs-TensorFlow comparison
runs this once per backend (KERAS_BACKEND set by the caller) and compares files.
Usage: python lite_forward.py OUT.npz
"""

import sys

import keras
import numpy as np
from garbage import backbones
from garbage.efficientnet_lite import LiteLayers


def main(out: str) -> None:
    spec = backbones.get_spec("efficientnet_lite0")
    weights = spec.weights_path()
    assert weights.is_file(), f"{weights} is missing: run scripts/setup.sh"
    model = LiteLayers("lite0").full(spec.input_size)
    model.load_weights(weights)
    x = np.random.default_rng(0).uniform(-1, 1, (2, spec.input_size, spec.input_size, 3))
    features = keras.ops.convert_to_numpy(model(x.astype("float32"), training=False))
    np.savez(out, features=features, backend=keras.backend.backend())


if __name__ == "__main__":
    main(sys.argv[1])
