"""Features from the pixel cache: computed once, reused, never reused for random-init
backbones; each image's augmentation its own, whatever the batching."""

import keras
import numpy as np
import pytest
from garbage import augment, backbones, device, features, image_cache
from garbage.images import to_input
from PIL import Image

from harness.data.demo import make_image_set


def _cache(tmp_path, per_class: int = 3, workers: int = 1) -> image_cache.ImageCache:
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=per_class, size=40)
    paths = sorted(data.rglob("*.jpg"))
    broken = tmp_path / "data" / "b" / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    return image_cache.build([*paths, broken], 48, 2**40, workers)


def test_cache_reuse_copies_and_unreadable_images(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    images = _cache(tmp_path)
    rows = np.arange(len(images.paths))
    spec, parts = backbones.build("tiny", 1)
    ex = features.Extractor.build(spec, parts.bottom, images.size, 4)

    plain, ok = features.split_activations(ex, images, rows, 0, 0, "s")
    assert plain.dtype == np.float16 and plain.shape[0] == len(rows)
    assert ok.tolist() == [True] * 6 + [False]
    assert len(list(features.cache_dir().glob("*.npy"))) == 2

    parts.bottom.layers[1].set_weights([w * 0 for w in parts.bottom.layers[1].get_weights()])
    cached, _ = features.split_activations(ex, images, rows, 0, 0, "s")
    np.testing.assert_array_equal(cached, plain)  # from the cache, not the changed model
    fresh, _ = features.split_activations(ex, images, rows, 0, 0, "s", cache=False)
    assert not np.array_equal(fresh, plain)

    spec, parts = backbones.build("tiny", 1)
    ex = features.Extractor.build(spec, parts.bottom, images.size, 4)
    plain, _ = features.split_activations(ex, images, rows, 0, 0, "t", cache=False)
    mirrored, _ = features.split_activations(ex, images, rows, -1, 0, "t", cache=False)
    augmented, _ = features.split_activations(ex, images, rows, 1, 0, "t", cache=False)
    assert not np.allclose(mirrored[:6], plain[:6]) and not np.allclose(augmented[:6], plain[:6])
    pooled = features.pooled(parts.top, plain)
    assert pooled.shape == (len(rows), spec.feature_width) and pooled.dtype == np.float32


class _ShapeRecorder:
    """Stands in for a model: doubles its input and records every batch shape it is given."""

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def predict_on_batch(self, x):
        first = x[0] if isinstance(x, list) else x
        self.shapes.append(first.shape)
        return first * 2


def test_short_batches_are_padded_to_one_shape_and_cut_back():
    model = _ShapeRecorder()
    x = np.arange(5 * 3, dtype="float32").reshape(5, 3)

    short = features.predict_full_batch(model, x[:2], 4)
    full = features.predict_full_batch(model, x[:4], 4)
    several = features.predict_full_batch(model, [x[:3], x[:3, :1]], 4)

    np.testing.assert_array_equal(short, x[:2] * 2)
    np.testing.assert_array_equal(full, x[:4] * 2)
    np.testing.assert_array_equal(several, x[:3] * 2)
    assert model.shapes == [(4, 3), (4, 3), (4, 3)]


def test_padding_leaves_a_real_models_outputs_unchanged():
    spec, parts = backbones.build("tiny", 1)
    x = np.random.default_rng(0).uniform(-1, 1, (3, spec.input_size, spec.input_size, 3))
    x = x.astype("float32")

    padded = features.predict_full_batch(parts.bottom, x, 8)

    np.testing.assert_allclose(padded, np.asarray(parts.bottom.predict_on_batch(x)), atol=1e-5)


def _augmented(images, rows, copy: int, batch: int) -> np.ndarray:
    spec, parts = backbones.build("tiny", 1)
    ex = features.Extractor.build(spec, parts.bottom, images.size, batch)
    out = [
        features.predict_full_batch(
            ex.augmenter,
            features.copy_inputs(ex, images, rows[i : i + batch], copy, 7),
            batch,
        )
        for i in range(0, len(rows), batch)
    ]
    return np.concatenate(out)


def test_each_image_gets_its_own_augmentation_whatever_the_batching(tmp_path):
    images = _cache(tmp_path, per_class=4)
    twin = tmp_path / "data" / "b" / "twin.jpg"  # byte-identical to image 0, other name
    twin.write_bytes(images.paths[0].read_bytes())
    images = image_cache.build([*images.paths, twin], images.size, 2**40, 1)
    rows = np.arange(len(images.paths))

    by_four = _augmented(images, rows, 1, 4)
    by_three = _augmented(images, rows, 1, 3)
    reversed_order = _augmented(images, rows[::-1], 1, 4)

    np.testing.assert_allclose(by_three, by_four, atol=1e-5)
    np.testing.assert_allclose(reversed_order[::-1], by_four, atol=1e-5)
    assert not np.allclose(by_four[0], by_four[-1])  # the twin: same picture, own draw
    assert not np.allclose(_augmented(images, rows, 2, 4), by_four)


def test_worker_count_leaves_the_augmented_copies_unchanged(tmp_path):
    one = _cache(tmp_path, workers=1)
    two = image_cache.build(one.paths, one.size, 2**40, 2)
    rows = np.arange(len(one.paths))
    for copy in (0, 1, augment.MIRRORED):
        np.testing.assert_array_equal(
            _augmented(two, rows, copy, 4), _augmented(one, rows, copy, 4)
        )


def test_plain_copy_is_the_cached_picture_and_the_mirror_its_flip(tmp_path):
    spec = backbones.get_spec("tiny")
    images = _cache(tmp_path)
    images = image_cache.build(images.paths, spec.input_size, 2**40, 1)  # no resize on device
    rows = np.arange(len(images.paths))
    plain = _augmented(images, rows, 0, 4)
    mirrored = _augmented(images, rows, augment.MIRRORED, 4)
    pre = spec.preprocessing
    expected = (images.pixels.astype("float32") - np.asarray(pre.mean, "float32")) / pre.scale
    np.testing.assert_allclose(plain, expected, atol=1e-5)
    np.testing.assert_allclose(mirrored, plain[:, :, ::-1], atol=1e-5)


def test_draws_are_fractions_inside_the_picture_and_seeded_per_image():
    draws = [augment.draw(0, 1, image_id) for image_id in range(200)]
    assert all(
        0.6 <= d.scale <= 1.0 and d.left + d.scale <= 1 and d.top + d.scale <= 1 for d in draws
    )
    assert all(0.8 <= d.brightness <= 1.2 for d in draws)
    assert 50 < sum(d.flip for d in draws) < 150
    assert augment.draw(0, 1, 5) == augment.draw(0, 1, 5) != augment.draw(0, 2, 5)
    assert augment.draw(0, 0, 5) == augment.Draw()
    assert augment.draw(0, augment.MIRRORED, 5) == augment.Draw(flip=True)


def test_cache_key_changes_with_the_augmentation_scheme(tmp_path, monkeypatch):
    paths = sorted(make_image_set(tmp_path / "data", ("a", "b"), per_class=1).rglob("*.jpg"))
    spec, _ = backbones.build("tiny", 1)
    current = features.cache_key(spec, "s", paths, 1, 0, 48)
    assert features.cache_key(spec, "s", paths, 1, 0, 64) != current
    monkeypatch.setattr(features, "AUGMENT_SCHEME", features.AUGMENT_SCHEME - 1)
    assert features.cache_key(spec, "s", paths, 1, 0, 48) != current


@pytest.mark.parametrize(
    ("found", "batch", "policy"),
    [
        (device.Device("cpu"), device.CPU_BATCH, "float32"),
        (device.Device("gpu", (9, 0)), device.GPU_BATCH, "mixed_bfloat16"),
        (device.Device("gpu", (8, 0)), device.GPU_BATCH, "mixed_bfloat16"),
        (device.Device("gpu", (7, 5)), device.GPU_BATCH, "mixed_float16"),
        (device.Device("gpu", (6, 1)), device.GPU_BATCH, "float32"),
        (device.Device("gpu"), device.GPU_BATCH, "float32"),
    ],
)
def test_batch_and_precision_follow_the_device(found, batch, policy):
    assert device.plan_for(found) == device.ComputePlan(batch, policy)


@pytest.mark.parametrize("pre", [backbones.LITE, backbones.CAFFE], ids=["rgb", "bgr"])
def test_plain_copy_is_normalised_as_the_predictor_normalises(pre):
    pixels = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 3), dtype="uint8")
    model = augment.copy_model(keras.layers.Identity(), 8, 8, pre)
    batch = [augment.Draw()] * 2
    out = model.predict_on_batch(
        [pixels, *augment.coordinates(batch, 8, 8), augment.brightness(batch)]
    )
    expected = [to_input(Image.fromarray(p), 8, pre) for p in pixels]
    np.testing.assert_allclose(out, np.stack(expected), atol=1e-4)
