"""The pixel cache: decoded once, the same at any worker count, in a file when memory is short,
and giving the features that decoding each copy gave (on TensorFlow, torch and jax)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from garbage import image_cache
from submission_run import SUBMISSION

from harness.data.demo import make_image_set

SCRIPT = Path(__file__).resolve().parent / "cache_forward.py"


def _photos(trashnet: Path, per_class: int) -> list[Path]:
    classes = sorted(p for p in trashnet.iterdir() if p.is_dir())
    return [p for c in classes for p in sorted(c.glob("*.jpg"))[:per_class]]


@pytest.mark.parametrize("backend", ["tensorflow", "torch", "jax"])
def test_cached_features_match_decoding_each_copy(tmp_path, backend, trashnet_dir):
    """Tolerance, per image and copy, on Lite0's pooled features: cosine similarity at least
    0.94 for the plain and mirrored image (the cache resizes twice: 512 -> 260 -> 224 px),
    at least 0.88 for random crops (cropped from 260 px instead of the full picture), 0.95 on
    average; different photos stay below 0.7, and each copy's nearest reference is itself."""
    out = tmp_path / "features.npz"
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env["PYTHONPATH"] = str(SUBMISSION)
    cmd = [sys.executable, str(SCRIPT), str(out), *map(str, _photos(trashnet_dir, 2))]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = np.load(out)
    assert str(result["backend"]) == backend

    def unit(a):
        return a / np.linalg.norm(a, axis=-1, keepdims=True)

    cached, reference = unit(result["cached"]), unit(result["reference"])
    same = (cached * reference).sum(-1)  # (copies, images)
    assert same[:2].min() >= 0.94 and same[2:].min() >= 0.88 and same.mean() >= 0.95, same
    for copy in range(len(same)):
        similarity = cached[copy] @ reference[copy].T
        assert (similarity.argmax(axis=1) == np.arange(len(similarity))).all(), copy


def _images(tmp_path) -> list[Path]:
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=5, size=48)
    broken = data / "b" / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    return [*sorted(data.rglob("*.jpg"))]


def test_same_pixels_at_any_worker_count_and_unreadable_files_marked(tmp_path):
    paths = _images(tmp_path)
    one = image_cache.build(paths, 32, 2**40, 1)
    two = image_cache.build(paths, 32, 2**40, 2)

    np.testing.assert_array_equal(two.pixels, one.pixels)
    assert one.ok.tolist() == two.ok.tolist() == [p.name != "broken.jpg" for p in paths]
    assert one.pixels.shape == (len(paths), 32, 32, 3) and one.pixels.dtype == np.uint8
    assert not one.pixels[~one.ok].any()
    expected = image_cache.decode_resized(paths[0], 32)
    np.testing.assert_array_equal(one.pixels[0], expected)


def test_a_cache_over_its_memory_share_goes_to_a_memory_mapped_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    paths = _images(tmp_path)
    nbytes = len(paths) * 32 * 32 * 3
    limit = int(nbytes / image_cache.MEMORY_SHARE) - 1  # one byte short

    in_memory = image_cache.build(paths, 32, limit + 1, 2)
    mapped = image_cache.build(paths, 32, limit, 2)

    assert in_memory.in_memory and not mapped.in_memory
    assert isinstance(mapped.pixels, np.memmap)
    np.testing.assert_array_equal(np.asarray(mapped.pixels), in_memory.pixels)
    assert list((tmp_path / "scratch").iterdir()) == []  # unlinked once mapped


def test_memory_limit_is_the_smallest_of_cgroup_harness_and_physical_memory(tmp_path):
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert image_cache.memory_limit_bytes(tmp_path, {}) == physical  # no cgroup files
    (tmp_path / "memory.max").write_text("max\n")
    assert image_cache.memory_limit_bytes(tmp_path, {}) == physical  # cgroup v2, unlimited
    harness = {"ONLINESIM_MEMORY_BYTES": str(2**31)}
    assert image_cache.memory_limit_bytes(tmp_path, harness) == 2**31  # the process runner's
    (tmp_path / "memory.max").write_text(f"{2**30}\n")
    assert image_cache.memory_limit_bytes(tmp_path, harness) == 2**30
    assert image_cache.fits_in_memory(2**28, 2**30) and not image_cache.fits_in_memory(
        2**28 + 1, 2**30
    )
