"""The feature cache: computed once, reused, never reused for random-init backbones."""

import numpy as np
from garbage import backbones, features

from harness.demo_data import make_image_set


def test_cache_reuse_copies_and_unreadable_images(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=3, size=40)
    paths = sorted(data.rglob("*.jpg"))
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    paths.append(tmp_path / "broken.jpg")
    spec, parts = backbones.build("tiny", 1)

    plain, ok = features.split_activations(parts.bottom, spec, "s", paths, 0, 0)
    assert plain.dtype == np.float16 and plain.shape[0] == len(paths)
    assert ok.tolist() == [True] * 6 + [False]
    assert len(list(features.cache_dir().glob("*.npy"))) == 2

    parts.bottom.layers[1].set_weights([w * 0 for w in parts.bottom.layers[1].get_weights()])
    cached, _ = features.split_activations(parts.bottom, spec, "s", paths, 0, 0)
    np.testing.assert_array_equal(cached, plain)  # from the cache, not the changed model
    fresh, _ = features.split_activations(parts.bottom, spec, "s", paths, 0, 0, cache=False)
    assert not np.array_equal(fresh, plain)

    spec, parts = backbones.build("tiny", 1)
    plain, _ = features.split_activations(parts.bottom, spec, "t", paths, 0, 0, cache=False)
    mirrored, _ = features.split_activations(parts.bottom, spec, "t", paths, -1, 0, cache=False)
    augmented, _ = features.split_activations(parts.bottom, spec, "t", paths, 1, 0, cache=False)
    assert not np.allclose(mirrored[:6], plain[:6]) and not np.allclose(augmented[:6], plain[:6])
    pooled = features.pooled(parts.top, plain)
    assert pooled.shape == (len(paths), spec.feature_width) and pooled.dtype == np.float32


class _ShapeRecorder:
    """Stands in for a model: doubles its input and records every batch shape it is given."""

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def predict_on_batch(self, x: np.ndarray) -> np.ndarray:
        self.shapes.append(x.shape)
        return x * 2


def test_short_batches_are_padded_to_one_shape_and_cut_back():
    model = _ShapeRecorder()
    x = np.arange(5 * 3, dtype="float32").reshape(5, 3)

    short = features.predict_full_batch(model, x[:2], 4)
    full = features.predict_full_batch(model, x[:4], 4)

    np.testing.assert_array_equal(short, x[:2] * 2)
    np.testing.assert_array_equal(full, x[:4] * 2)
    assert model.shapes == [(4, 3), (4, 3)]


def test_padding_leaves_a_real_models_outputs_unchanged():
    spec, parts = backbones.build("tiny", 1)
    x = np.random.default_rng(0).uniform(-1, 1, (3, spec.input_size, spec.input_size, 3))
    x = x.astype("float32")

    padded = features.predict_full_batch(parts.bottom, x, 8)

    np.testing.assert_allclose(padded, np.asarray(parts.bottom.predict_on_batch(x)), atol=1e-5)
