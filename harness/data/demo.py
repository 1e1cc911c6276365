"""Generated image sets: the embedded default data and the tests' tiny fixtures.

Each class gets its own colour and shape, drawn with noise and jitter, so a
real classifier can learn them and a constant answer scores about 1/k.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("ellipse", "rectangle", "triangle", "cross")
# The default set's classes: contest-style Chinese names, so UTF-8 labels are
# exercised by every first run (carton, charger, charging cable, mop,
# earphones, milk carton).
DEMO_CLASSES = ("纸箱", "充电器", "充电线", "拖把", "耳机", "牛奶盒")


def _draw_one(rng: np.random.Generator, class_index: int, n_classes: int, size: int) -> Image.Image:
    hue = class_index / max(n_classes, 1)
    r, g, b = colorsys.hsv_to_rgb(hue, 0.8, 0.9)
    colour = tuple(int(255 * c) for c in (r, g, b))
    background = rng.integers(0, 60, size=(size, size, 3), dtype=np.uint8)
    image = Image.fromarray(background)
    draw = ImageDraw.Draw(image)
    shape = SHAPES[class_index % len(SHAPES)]
    half = size * rng.uniform(0.25, 0.4)
    cx, cy = rng.uniform(size * 0.4, size * 0.6, size=2)
    box = (cx - half, cy - half, cx + half, cy + half)
    if shape == "ellipse":
        draw.ellipse(box, fill=colour)
    elif shape == "rectangle":
        draw.rectangle(box, fill=colour)
    elif shape == "triangle":
        draw.polygon([(cx, cy - half), (cx - half, cy + half), (cx + half, cy + half)], fill=colour)
    else:
        width = max(2, int(half / 2))
        draw.line([(cx - half, cy), (cx + half, cy)], fill=colour, width=width)
        draw.line([(cx, cy - half), (cx, cy + half)], fill=colour, width=width)
    return image


def make_image_set(
    root: Path, classes: Sequence[str], per_class: int, size: int = 48, seed: int = 0
) -> Path:
    """Write `per_class` JPEGs for each class under root/<class>/ and return root."""
    rng = np.random.default_rng(seed)
    root = Path(root)
    for index, name in enumerate(classes):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            image = _draw_one(rng, index, len(classes), size)
            image.save(folder / f"{name}_{number:04d}.jpg", quality=90)
    return root
