"""Run as a script: EfficientNet-Lite0 with its converted weights on a fixed input.

Keras fixes its backend per process, so test_lite_backends runs this once per
backend (KERAS_BACKEND set by the caller) and compares the files. Two results:
the whole network in the weights file's layout, and the split network the
submission trains (nested bottom + top) after the export and the load the
predictor makes, with how many nested models the loaded bottom still holds:
the nesting is what keeps eager backends' memory down, so it must survive.
Usage: python lite_forward.py OUT.npz
"""

import sys
from pathlib import Path

import keras
import numpy as np
from garbage import backbones, export
from garbage.efficientnet_lite import LiteLayers

TOP_BLOCKS = 2  # as in submission/config.toml


def main(out: str) -> None:
    spec, parts = backbones.build("efficientnet_lite0", TOP_BLOCKS)
    full = LiteLayers("lite0").full(spec.input_size)
    full.load_weights(spec.weights_path())
    x = np.random.default_rng(0).uniform(-1, 1, (2, spec.input_size, spec.input_size, 3))
    x = x.astype("float32")
    features = keras.ops.convert_to_numpy(full(x, training=False))

    model_dir = Path(out).with_suffix(".model")
    split = export.image_model(spec, parts.bottom, parts.top, keras.layers.Identity())
    export.export(model_dir, ["features"], [export.ExportedMember(spec, split, 1.0)], {})
    loaded = keras.saving.load_model(model_dir / "member0.keras", compile=False)
    bottom = loaded.get_layer(parts.bottom.name)
    np.savez(
        out,
        features=features,
        exported_features=np.asarray(loaded.predict_on_batch(x)),
        nested_models=sum(isinstance(layer, keras.Model) for layer in bottom.layers),
        blocks_below_split=len(LiteLayers("lite0").blocks) - TOP_BLOCKS,
        backend=keras.backend.backend(),
    )


if __name__ == "__main__":
    main(sys.argv[1])
