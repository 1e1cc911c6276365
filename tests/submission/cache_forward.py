"""Run as a script: Lite0 features of real photos from the pixel cache and decoded per copy.

The pixel cache holds each image at 260 px (Lite2's input, the largest in the
default config); Lite0 reads it through the copy layer (crop, flip, brightness,
resize to 224 px on the device). The reference decodes the file again for each
copy with Pillow, crops, flips and brightens the full-resolution picture with
the same draw and resizes it to 224 px, as the submission did before the cache.
Keras fixes its backend per process, so test_image_cache runs this once per
backend (KERAS_BACKEND set by the caller). Usage: python cache_forward.py OUT.npz IMAGE...
"""

import sys
from pathlib import Path

import keras
import numpy as np
from garbage import augment, backbones, features, image_cache
from garbage.images import load_rgb, stable_image_id, to_input
from PIL import Image, ImageOps

CACHE_SIZE = 260
COPIES = (0, augment.MIRRORED, 1, 2)


def decoded_per_copy(path: Path, d: augment.Draw, spec: backbones.BackboneSpec) -> np.ndarray:
    im = load_rgb(path)
    w, h = im.size
    box = (d.left * w, d.top * h, (d.left + d.scale) * w, (d.top + d.scale) * h)
    im = im.resize((spec.input_size, spec.input_size), Image.BILINEAR, box=box)
    if d.flip:
        im = ImageOps.mirror(im)
    arr = np.clip(np.asarray(im, dtype="float32") * d.brightness, 0, 255)
    return to_input(Image.fromarray(arr.astype("uint8")), spec.input_size, spec.preprocessing)


def main(out: str, paths: list[Path]) -> None:
    spec, parts = backbones.build("efficientnet_lite0", 2)
    images = image_cache.build(paths, CACHE_SIZE, image_cache.memory_limit_bytes(), 2)
    ex = features.Extractor.build(spec, parts.bottom, images.size, 8)
    rows = np.arange(len(paths))
    cached, reference = [], []
    for copy in COPIES:
        act, _ = features.split_activations(ex, images, rows, copy, 0, "t", cache=False)
        cached.append(features.pooled(parts.top, act))
        draws = [augment.draw(0, copy, stable_image_id(p)) for p in paths]
        x = np.stack([decoded_per_copy(p, d, spec) for p, d in zip(paths, draws, strict=True)])
        reference.append(features.pooled(parts.top, np.asarray(parts.bottom.predict(x, verbose=0))))
    np.savez(
        out, cached=np.stack(cached), reference=np.stack(reference), backend=keras.backend.backend()
    )


if __name__ == "__main__":
    main(sys.argv[1], [Path(p) for p in sys.argv[2:]])
