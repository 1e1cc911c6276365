"""A small real-photo set and variant files (`ray_here` is in tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

PER_CLASS = 40  # 4 per class in the reserve: smoke's 18 test images drawn from 24, by seed


@pytest.fixture(scope="session")
def photo_subset(trashnet_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 real photos per class: scores move with the seed, as they did on the platform."""
    root = tmp_path_factory.mktemp("photos") / "trashnet40"
    for folder in sorted(p for p in trashnet_dir.iterdir() if p.is_dir()):
        (root / folder.name).mkdir(parents=True)
        for image in sorted(folder.glob("*.jpg"))[:PER_CLASS]:
            shutil.copyfile(image, root / folder.name / image.name)
    return root


@pytest.fixture
def write_variant(tmp_path: Path) -> Callable[[str, str], Path]:
    """A variant file `<name>.toml` holding `text`."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / "variants" / f"{name}.toml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
