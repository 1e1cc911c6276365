"""Feature extraction throughput of the reference submission: decode per copy against decode once.

For each backbone, the plain image plus `--copies` augmented copies of every
image of a data set go through the frozen bottom (decode included, activation
cache off), two ways:
- before: each copy decoded again with Pillow in the thread pool the
  submission used until issue 13 (one thread per CPU, at most 8), cropped,
  flipped and brightened on the full-resolution picture, resized, normalised;
- after: every image decoded once into the pixel cache (`image_cache`, worker
  processes) at the largest input size of the backbones benched, the copies
  made by the copy layer inside the feature model (`augment`).
Each row: images/s = images x (1 + copies) / seconds. An "after" row for one
backbone includes the whole decode; the last rows are the default config's
case, both backbones on one decode. One untimed warm-up batch per backbone and
way first (TensorFlow traces); one timed run each. Per backbone, the copy
layer's own cost (crop, flip, brightness, resize on the device) is also timed
alone on one warm batch (`features.measure`, as the submission plans with it).

    .venv/bin/python bench/bench_features.py [--data .devdata/trashnet150] [--copies 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "submission"))

if __name__ == "__main__":
    # Only here: the pixel cache's spawn workers run this file again as __mp_main__, and
    # Keras imported there would add seconds to the decode that the submission's workers
    # (train.py imports nothing heavy) do not pay.
    from garbage.tf_switches import set_before_import

    set_before_import(log_level="2")  # as the submission runs TensorFlow
    from garbage import augment, backbones, features, image_cache
    from garbage.config import load_config
    from garbage.images import DataError, list_dataset, load_rgb, stable_image_id, to_input


def decoded_copy(path: Path, copy: int, spec: backbones.BackboneSpec) -> np.ndarray:
    """The pre-cache path: decode the file, crop, flip and brighten it, resize, normalise."""
    im = load_rgb(path)
    d = augment.draw(0, copy, stable_image_id(path))
    w, h = im.size
    im = im.crop(
        (int(d.left * w), int(d.top * h), int((d.left + d.scale) * w), int((d.top + d.scale) * h))
    )
    if d.flip:
        im = ImageOps.mirror(im)
    if d.brightness != 1.0:
        arr = np.clip(np.asarray(im, dtype="float32") * d.brightness, 0, 255)
        im = Image.fromarray(arr.astype("uint8"))
    return to_input(im, spec.input_size, spec.preprocessing)


def before(bottom, spec, paths: list[Path], copies: int) -> None:
    threads = image_cache.decode_workers()
    with ThreadPoolExecutor(threads) as pool:
        for copy in range(copies + 1):
            for i in range(0, len(paths), features.BATCH):
                batch = paths[i : i + features.BATCH]
                x = np.stack(
                    list(pool.map(decoded_copy, batch, [copy] * len(batch), [spec] * len(batch)))
                )
                features.predict_full_batch(bottom, x, features.BATCH)


def after(ex, images: image_cache.ImageCache, copies: int) -> None:
    rows = np.arange(len(images.paths))
    for copy in range(copies + 1):
        features.split_activations(ex, images, rows, copy, 0, "bench", cache=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / ".devdata" / "trashnet150")
    parser.add_argument(
        "--backbones", nargs="+", default=["efficientnet_lite0", "efficientnet_lite2"]
    )
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    try:
        paths = list_dataset(args.data).paths
    except DataError as exc:
        print(f"bench_features: {exc} (docs/benchmarks.md, 'Reference submission', makes one)")
        return 2
    top_blocks = load_config({}).top_blocks
    specs = {name: backbones.build(name, top_blocks, pretrained=False) for name in args.backbones}
    size = max(spec.input_size for spec, _ in specs.values())
    workers = image_cache.decode_workers()
    t0 = time.perf_counter()
    images = image_cache.build(paths, size, image_cache.memory_limit_bytes(), workers)
    decode_s = time.perf_counter() - t0
    n = len(paths) * (1 + args.copies)
    print(f"{len(paths)} images from {args.data}, {args.copies} augmented copies: {n} per backbone")
    print(f"decode once at {size} px, {workers} worker processes: {decode_s:.1f} s")
    print(f"{'backbone':20s} {'way':8s} {'s':>7s} {'images/s':>9s}")
    totals = {"before": 0.0, "after": decode_s}
    for name, (spec, parts) in specs.items():
        ex = features.Extractor.build(spec, parts.bottom, size)
        warm = images.paths[: features.BATCH]
        before(parts.bottom, spec, warm, 0)
        after(ex, image_cache.build(warm, size, image_cache.memory_limit_bytes(), 1), 0)
        rates = features.measure(ex, images)
        print(
            f"{name:20s} copy layer alone {rates.augment_s * 1000:.2f} ms an image, "
            f"with the bottom {rates.bottom_s * 1000:.2f} ms (one warm batch)"
        )
        for way, run, extra in (
            ("before", partial(before, parts.bottom, spec, paths, args.copies), 0.0),
            ("after", partial(after, ex, images, args.copies), decode_s),
        ):
            t0 = time.perf_counter()
            run()
            seconds = time.perf_counter() - t0
            totals[way] += seconds
            seconds += extra
            print(f"{name:20s} {way:8s} {seconds:7.1f} {n / seconds:9.1f}", flush=True)
    for way, seconds in totals.items():
        print(f"{'all, one run':20s} {way:8s} {seconds:7.1f} {n * len(specs) / seconds:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
