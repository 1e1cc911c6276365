"""A small generated data set and a private copy of the warm-start toy for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.data.demo import make_image_set

TOYS = Path(__file__).parent / "toys"
CLASSES = ["纸箱", "glass", "metal"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_image_set(tmp_path / "data", CLASSES, per_class=30, size=32, seed=7)


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    """The warm-centroid toy, copied: pretrain writes into the submission it is given."""
    return Path(shutil.copytree(TOYS / "warm_centroid", tmp_path / "toy"))
