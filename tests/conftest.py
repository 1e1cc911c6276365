"""Shared fixtures: generated image sets, the real photos, toy submissions, run folders."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from exec_support import folder_to_hide
from package_support import write_submission
from phase_support import RunFolder, make_run_folder
from PIL import Image

from harness.data.demo import make_image_set
from harness.runners.process import ProcessRunner

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


@pytest.fixture
def set_pillow_warns_on(tmp_path: Path, three_class_set: Path) -> Path:
    """three_class_set plus a palette PNG whose transparency is bytes: decoding it makes
    Pillow issue a UserWarning in the harness's own process (as users' PNGs do)."""
    data = shutil.copytree(three_class_set, tmp_path / "with-palette-png")
    image = Image.new("P", (32, 32))
    image.putpalette([value % 256 for value in range(768)])
    image.save(data / THREE_CLASSES[0] / "palette.png", transparency=b"\x00" * 10)
    return data


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


# What run_online.sh needs beside itself; linked, so set-up finds .venv and its stamp as they are.
CHECKOUT_LINKS = (".venv", "pyproject.toml", "scripts", "docker", "submission")


@dataclass(frozen=True)
class OnlineCheckout:
    """run_online.sh in a fresh folder, so its runs/ and dist/ land there, not in the repo."""

    root: Path

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        """The script for real; ONLINESIM_DOCKER_IMAGE only when given here."""
        base = {k: v for k, v in os.environ.items() if k != "ONLINESIM_DOCKER_IMAGE"}
        return subprocess.run(
            [str(self.root / "run_online.sh"), *args],
            cwd=self.root,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )


@pytest.fixture(scope="session")
def current_setup() -> None:
    """The repository's .venv brought up to date first: set-up run from a copy would
    reinstall the editable harness from the copy, which holds no harness/."""
    subprocess.run([str(REPO / "scripts" / "setup.sh")], check=True, capture_output=True)


@pytest.fixture
def online_checkout(tmp_path: Path, current_setup: None) -> OnlineCheckout:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy2(REPO / "run_online.sh", root / "run_online.sh")
    for name in CHECKOUT_LINKS:
        (root / name).symlink_to(REPO / name)
    return OnlineCheckout(root)


@pytest.fixture
def run_folder(tmp_path: Path) -> RunFolder:
    """A fresh run folder per test, with a folder of the user's that the phase must not see."""
    return make_run_folder(tmp_path, hidden=(folder_to_hide(tmp_path),))


@pytest.fixture(scope="session")
def runner() -> ProcessRunner:
    return ProcessRunner(sample_interval_s=0.05)


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    return write_submission(tmp_path / "sub")


@pytest.fixture
def make_submission():
    """The writer itself, for tests that need a second copy."""
    return write_submission


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Docker tests and the submission's real-Keras tests are slow: -m "not slow" needs neither.

    They also get longer timeouts than pyproject's 300 s default: the first docker
    test builds the images in its fixtures (scripts allowed 1200 s each), and the
    submission's tests train real models on two shared cores.
    """
    submission_tests = Path(__file__).parent / "submission"
    for item in items:
        docker_test = item.get_closest_marker("docker") is not None
        real_keras = item.path.is_relative_to(submission_tests)
        if docker_test or real_keras:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("timeout") is None:
            if docker_test:
                item.add_marker(pytest.mark.timeout(2700))
            elif real_keras:
                item.add_marker(pytest.mark.timeout(900))


@pytest.fixture(scope="module")
def ray_here():
    """A real local Ray instance with this machine's 2 CPUs and no GPU, for one module.

    Starting Ray costs seconds; the sweep and tune tests of one module share it.
    """
    import ray

    from harness.sweep.executor import OBJECT_STORE_BYTES

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        object_store_memory=OBJECT_STORE_BYTES,
    )
    yield ray
    ray.shutdown()
