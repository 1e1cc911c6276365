"""A small real-photo set, variant files, and a real Ray instance the size of the test machine."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.sweep.executor import OBJECT_STORE_BYTES

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


@pytest.fixture(scope="module")
def ray_here():
    """A real local Ray instance with this machine's 2 CPUs and no GPU, for one module."""
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        object_store_memory=OBJECT_STORE_BYTES,
    )
    yield ray
    ray.shutdown()
