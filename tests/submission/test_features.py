"""The feature cache: computed once, reused, never reused for random-init backbones."""

import numpy as np
from garbage import backbones, features

from harness.data.demo import make_image_set


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


def _paths_with_twins(tmp_path, batch: int) -> list:
    """Images over several batches, with two byte-identical files at the same position of
    two batches, and an unreadable one."""
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=batch, size=40)
    paths = sorted(data.rglob("*.jpg"))
    twin = tmp_path / "data" / "b" / "twin.jpg"
    twin.write_bytes(paths[0].read_bytes())
    broken = tmp_path / "data" / "b" / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    return [*paths[:batch], twin, *paths[batch:], broken]


def _inputs(spec, paths, copy, workers):
    batches = list(features.input_batches(spec, paths, copy, 7, workers))
    return np.concatenate([x for x, _ in batches]), np.concatenate([ok for _, ok in batches])


def test_each_image_gets_its_own_augmentation_whatever_the_batching(tmp_path, monkeypatch):
    monkeypatch.setattr(features, "BATCH", 4)
    paths = _paths_with_twins(tmp_path, 4)
    spec, _ = backbones.build("tiny", 1)

    augmented, ok = _inputs(spec, paths, 1, 1)
    assert ok.tolist() == [True] * (len(paths) - 1) + [False]
    # same picture at position 0 of batches 1 and 2: a draw per batch gave both the same crop
    assert not np.allclose(augmented[0], augmented[4])
    np.testing.assert_array_equal(augmented[1:4], _inputs(spec, paths[1:4], 1, 1)[0])
    reversed_order, _ = _inputs(spec, paths[::-1], 1, 1)
    np.testing.assert_array_equal(reversed_order[::-1], augmented)
    assert not np.allclose(_inputs(spec, paths, 2, 1)[0][:-1], augmented[:-1])


def test_decoding_threads_give_the_single_thread_arrays(tmp_path, monkeypatch):
    monkeypatch.setattr(features, "BATCH", 4)
    paths = _paths_with_twins(tmp_path, 4)
    spec, _ = backbones.build("tiny", 1)

    for copy in (0, 1, features.MIRRORED):
        one, ok_one = _inputs(spec, paths, copy, 1)
        many, ok_many = _inputs(spec, paths, copy, 3)
        np.testing.assert_array_equal(many, one)
        np.testing.assert_array_equal(ok_many, ok_one)
    assert 1 <= features.decode_workers() <= features.MAX_DECODE_WORKERS


def test_cache_key_changes_with_the_augmentation_scheme(tmp_path, monkeypatch):
    paths = sorted(make_image_set(tmp_path / "data", ("a", "b"), per_class=1).rglob("*.jpg"))
    spec, _ = backbones.build("tiny", 1)
    current = features.cache_key(spec, "s", paths, 1, 0)
    monkeypatch.setattr(features, "AUGMENT_SCHEME", features.AUGMENT_SCHEME - 1)
    assert features.cache_key(spec, "s", paths, 1, 0) != current
