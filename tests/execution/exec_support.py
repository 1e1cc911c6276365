"""A run folder laid out like the harness's, tiny generated images, and PhaseSpecs for the toys."""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import psutil

from harness.demo_data import make_image_set
from harness.phases import PredictLimits, PredictRequest
from harness.runners.base import Limits, Mount, PhaseSpec

TOYS = Path(__file__).resolve().parents[1] / "toys"
CLASSES = ("cardboard", "glass", "纸箱")
FAST = PredictLimits(setup_s=10.0, per_image_s=0.5, request_timeout_s=5.0, grace_s=2.0)


def folder_to_hide(tmp_path: Path) -> Path:
    """What the harness would hide around a run: here the whole temp dir (other tests'
    run folders, other jobs' files), unless this interpreter lives in it."""
    temp = Path(tempfile.gettempdir()).resolve()
    interpreter = Path(sys.prefix).resolve()
    if temp in interpreter.parents or temp not in tmp_path.resolve().parents:
        return tmp_path.resolve()
    return temp


@dataclass
class RunFolder:
    root: Path
    train_dir: Path
    test_dir: Path
    model_dir: Path
    scratch: Path
    requests: list[PredictRequest]
    truth: dict[str, str]
    hidden: tuple[Path, ...]

    def package(self, toy: str) -> Path:
        """A fresh copy of the toy, as the harness gives each phase."""
        target = self.root / "package"
        if not target.exists():
            shutil.copytree(TOYS / toy, target)
        return target

    def train_spec(self, toy: str, limits: Limits | None = None, **env: str) -> PhaseSpec:
        return PhaseSpec(
            phase="train",
            command=("python", "train.py"),
            workdir=self.package(toy),
            env={
                "IMAGE_TRAIN_INPUT_PATH": str(self.train_dir),
                "MODEL_INFERENCE_PATH": str(self.model_dir),
                "ONLINESIM_PHASE": "train",
                "ONLINESIM_PROFILE": "test",
                "TMPDIR": str(self.scratch),
                "HOME": str(self.scratch),
                **env,
            },
            mounts=(Mount(self.train_dir), Mount(self.model_dir, writable=True)),
            limits=limits or Limits(),
            log_path=self.root / "logs" / "train.log",
            hidden=self.hidden,
        )

    def predict_spec(self, toy: str, limits: Limits | None = None, **env: str) -> PhaseSpec:
        return PhaseSpec(
            phase="predict",
            command=("python", "predict.py"),
            workdir=self.package(toy),
            env={
                "MODEL_INFERENCE_PATH": str(self.model_dir),
                "IMAGE_MODEL_PACKAGE_PATH": str(self.model_dir),
                "IMAGE_INPUT_PATH": str(self.test_dir),
                "ONLINESIM_PHASE": "predict",
                "TMPDIR": str(self.scratch),
                "HOME": str(self.scratch),
                **env,
            },
            mounts=(Mount(self.test_dir), Mount(self.model_dir)),
            limits=limits or Limits(),
            log_path=self.root / "logs" / "predict.log",
            interactive=True,
            hidden=self.hidden,
        )

    def train_log(self) -> list[str]:
        return (self.root / "logs" / "train.log").read_text(encoding="utf-8").splitlines()

    def accuracy(self, answers) -> float:
        return sum(a.label == self.truth[a.id] for a in answers) / len(self.truth)


def make_run_folder(tmp_path: Path) -> RunFolder:
    root = tmp_path / "runs" / "r1"
    stage = root / "stage"
    train_dir = make_image_set(stage / "train", CLASSES, per_class=4, size=32)
    source = make_image_set(tmp_path / "held_out", CLASSES, per_class=3, size=32, seed=1)
    test_dir = stage / "test"
    test_dir.mkdir(parents=True)
    requests, truth = [], {}
    for number, image in enumerate(sorted(source.rglob("*.jpg"))):
        opaque = f"img{number:03d}x"
        shutil.copy(image, test_dir / f"{opaque}.jpg")
        requests.append(PredictRequest(opaque, test_dir / f"{opaque}.jpg"))
        truth[opaque] = image.parent.name
    shutil.rmtree(source)
    model_dir = root / "model"
    model_dir.mkdir()
    scratch = root / "scratch"
    scratch.mkdir()
    hidden = (folder_to_hide(tmp_path),)
    return RunFolder(root, train_dir, test_dir, model_dir, scratch, requests, truth, hidden)


class Descendants:
    """Every process started under this test process while the block runs (host pids)."""

    def __init__(self) -> None:
        self.seen: dict[int, psutil.Process] = {}
        self.command_lines: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for process in me.children(recursive=True):
                self.seen.setdefault(process.pid, process)
                try:
                    self.command_lines.add(" ".join(process.cmdline()))
                except psutil.Error:
                    continue
            self._stop.wait(0.02)

    def __enter__(self) -> Descendants:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def still_running(self) -> list[psutil.Process]:
        alive = []
        for process in self.seen.values():
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                continue
        return alive
