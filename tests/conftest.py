"""Shared fixtures: tiny generated image sets, the real photos, and the toy submissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.demo_data import make_image_set

REPO = Path(__file__).resolve().parents[1]
TOYS = REPO / "tests" / "toys"
TRASHNET = (REPO / ".." / "shared" / "data" / "trashnet").resolve()
THREE_CLASSES = ("circle", "square", "triangle")
TEN_CHINESE_CLASSES = (
    "纸箱",
    "充电器",
    "充电线",
    "拖把",
    "耳机",
    "牛奶盒",
    "筷子",
    "毛毯",
    "杏仁",
    "葡萄干",
)


@pytest.fixture(scope="session")
def toys_dir() -> Path:
    """tests/toys: one contract-following submission per folder."""
    return TOYS


@pytest.fixture(scope="session")
def three_class_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 classes x 60 generated 32 px JPEGs: the smoke profile fits without scaling."""
    return make_image_set(tmp_path_factory.mktemp("three") / "set", THREE_CLASSES, 60, size=32)


@pytest.fixture(scope="session")
def chinese_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 classes with Chinese folder names x 20 generated 32 px JPEGs."""
    root = tmp_path_factory.mktemp("chinese") / "垃圾"
    return make_image_set(root, TEN_CHINESE_CLASSES, 20, size=32, seed=1)


@pytest.fixture(scope="session")
def trashnet_dir() -> Path:
    """The real photos (6 classes, 2,527 JPEGs); CI has them at ../shared/data/trashnet."""
    assert TRASHNET.is_dir(), f"the real-photo set is missing at {TRASHNET}"
    return TRASHNET
