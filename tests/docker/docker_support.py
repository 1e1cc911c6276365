"""Run folders laid out as the harness lays them out, for the docker tests."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from harness.demo_data import make_image_set
from harness.phases import PredictLimits, PredictRequest
from harness.runners.base import Limits, Mount, PhaseSpec

ROOT = Path(__file__).resolve().parents[2]
TOYS = ROOT / "tests" / "toys"
CLASSES = ("cardboard", "glass", "纸箱")
NO_LIMITS = Limits()
FAST = PredictLimits(setup_s=20.0, per_image_s=0.5, request_timeout_s=5.0, grace_s=2.0)


@dataclass
class RunFolder:
    """A run folder laid out as the harness lays it out, with the answer key beside it."""

    root: Path
    train_dir: Path
    test_dir: Path
    model_dir: Path
    scratch: Path
    requests: list[PredictRequest]
    truth: dict[str, str]

    def package(self, toy: str) -> Path:
        target = self.root / "work" / toy
        if not target.exists():
            shutil.copytree(TOYS / toy, target)
        return target

    def train_spec(self, toy: str, limits: Limits = NO_LIMITS, **env: str) -> PhaseSpec:
        return PhaseSpec(
            phase="train",
            command=("python", "train.py"),
            workdir=self.package(toy),
            env={
                "IMAGE_TRAIN_INPUT_PATH": str(self.train_dir),
                "MODEL_INFERENCE_PATH": str(self.model_dir),
                "TMPDIR": str(self.scratch),
                "HOME": str(self.scratch),
                **env,
            },
            mounts=(Mount(self.train_dir), Mount(self.model_dir, writable=True)),
            limits=limits,
            log_path=self.root / "logs" / "train.log",
        )

    def predict_spec(self, toy: str, limits: Limits = NO_LIMITS, **env: str) -> PhaseSpec:
        return PhaseSpec(
            phase="predict",
            command=("python", "predict.py"),
            workdir=self.package(toy),
            env={
                "MODEL_INFERENCE_PATH": str(self.model_dir),
                "IMAGE_MODEL_PACKAGE_PATH": str(self.model_dir),
                "IMAGE_INPUT_PATH": str(self.test_dir),
                "TMPDIR": str(self.scratch),
                "HOME": str(self.scratch),
                **env,
            },
            mounts=(Mount(self.test_dir), Mount(self.model_dir)),
            limits=limits,
            log_path=self.root / "logs" / "predict.log",
            interactive=True,
        )

    def write_answer_key(self) -> Path:
        """The key in the run folder, where answers.csv goes: outside every mount."""
        key = "id,label\n" + "".join(f"{i},{label}\n" for i, label in self.truth.items())
        path = self.root / "answers.csv"
        path.write_text(key, encoding="utf-8")
        return path

    def accuracy(self, answers) -> float:
        return sum(a.label == self.truth[a.id] for a in answers) / len(self.truth)


def make_run_folder(root: Path) -> RunFolder:
    stage = root / "stage"
    train_dir = make_image_set(stage / "train", CLASSES, per_class=4, size=32)
    source = make_image_set(root / "held_out", CLASSES, per_class=2, size=32, seed=1)
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
    return RunFolder(root, train_dir, test_dir, model_dir, scratch, requests, truth)
