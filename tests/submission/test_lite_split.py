"""The split EfficientNet-Lite (cached bottom + trained top) is the whole network, cut in two.

The bottom is built from one nested model per block so that eager backends
free a block's activations when it returns (see LiteLayers.bottom); these
tests pin that it still computes exactly what the flat network computes, and
that it survives the .keras round trip the export makes.
"""

import keras
import numpy as np
from garbage.efficientnet_lite import VARIANTS, LiteLayers

TOP_BLOCKS = 2


def _lite0():
    net = LiteLayers("lite0")
    size = VARIANTS["lite0"][2]
    full = net.full(size)
    bottom = net.bottom(size, TOP_BLOCKS)
    top = net.top(tuple(bottom.output.shape[1:]), TOP_BLOCKS)
    x = np.random.default_rng(0).uniform(-1, 1, (2, size, size, 3)).astype("float32")
    return net, full, bottom, top, x


def test_bottom_then_top_equals_the_full_network():
    _, full, bottom, top, x = _lite0()
    expected = np.asarray(full.predict_on_batch(x))
    got = np.asarray(top.predict_on_batch(np.asarray(bottom.predict_on_batch(x))))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_bottom_is_one_nested_model_per_block():
    net, _, bottom, _, _ = _lite0()
    nested = [layer for layer in bottom.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert all(isinstance(layer, keras.Model) for layer in nested)
    assert len(nested) == 1 + net.split_index(TOP_BLOCKS)  # the stem, then each block


def test_nested_bottom_survives_the_keras_file_round_trip(tmp_path):
    _, _, bottom, _, x = _lite0()
    bottom.save(tmp_path / "bottom.keras")
    loaded = keras.saving.load_model(tmp_path / "bottom.keras", compile=False)
    np.testing.assert_allclose(
        np.asarray(loaded.predict_on_batch(x)), np.asarray(bottom.predict_on_batch(x)), atol=1e-6
    )
