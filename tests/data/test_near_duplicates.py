"""Resized and re-encoded copies of a test-reserve image are kept out of training."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw

from harness.data.holdout import split_holdout
from harness.data.scan import scan_dataset


def _picture(seed: int) -> Image.Image:
    """A photo-like picture: a few large shapes, different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (128, 128), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(100), rng.randrange(100)
        box = (x, y, x + rng.randrange(10, 60), y + rng.randrange(10, 60))
        draw.ellipse(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def test_resized_reencoded_copies_across_classes_stay_out_of_training(tmp_path: Path) -> None:
    data = tmp_path / "set"
    for index, label in enumerate(["a", "b", "c"]):
        (data / label).mkdir(parents=True)
        for number in range(20):
            _picture(index * 100 + number).save(data / label / f"{number:02d}.jpg", quality=95)
    exact = split_holdout(scan_dataset(data), 0.1, 2019, near_duplicate_bits=-1)
    originals = [path for files in exact.reserve.values() for path in files]
    for number, original in enumerate(originals):  # copies filed under another class
        other = "b" if original.parent.name == "a" else "a"
        with Image.open(original) as image:
            image.resize((96, 96)).save(data / other / f"copy{number}.jpg", quality=70)
    holdout = split_holdout(scan_dataset(data), 0.1, 2019, near_duplicate_bits=2)
    pool = {path.name for files in holdout.pool.values() for path in files}
    copies_in_reserve = {p.name for files in holdout.reserve.values() for p in files}
    copies = {f"copy{n}.jpg" for n in range(len(originals))} - copies_in_reserve
    assert copies and not copies & pool
    assert {p.name for p in holdout.near_duplicates_left_out} == copies
    assert holdout.summary()["near_duplicates_left_out"] == len(copies)
    without = split_holdout(scan_dataset(data), 0.1, 2019, near_duplicate_bits=-1)
    assert copies <= {path.name for files in without.pool.values() for path in files}
