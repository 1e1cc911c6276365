"""A copy of the reference submission with a tiny config, and its PhaseSpecs for the harness.

Shared by the through-the-harness tests (TensorFlow and torch backends).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.demo_data import make_image_set
from harness.phases import PredictLimits, PredictRequest
from harness.runners.base import Limits, Mount, PhaseSpec

SUBMISSION = Path(__file__).resolve().parents[2] / "submission"
CLASSES = ("cardboard", "glass", "纸箱")
TINY = """backbones = ["tiny", "tiny"]
pretrained = false
aug_copies = 1
head_epochs = 20
finetune_epochs = 2
"""
PREDICT_LIMITS = PredictLimits(setup_s=60.0, per_image_s=2.0, request_timeout_s=20.0, grace_s=5.0)


class Run:
    """The package copy, a tiny train/test split, and the folders a harness run gives it.

    `env` is added to both phases' environment (e.g. KERAS_BACKEND).
    """

    def __init__(self, root: Path, config: str, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.extra_env = dict(env or {})
        self.package = root / "package"
        shutil.copytree(
            SUBMISSION, self.package, ignore=shutil.ignore_patterns("weights", "__pycache__")
        )
        (self.package / "test_config.toml").write_text(config, encoding="utf-8")
        self.train_dir = make_image_set(root / "stage" / "train", CLASSES, per_class=8, size=40)
        self.test_dir = make_image_set(root / "held", CLASSES, per_class=3, size=40, seed=1)
        self.model_dir = root / "model"
        self.model_dir.mkdir()
        self.scratch = root / "scratch"
        self.scratch.mkdir()
        (root / "metrics").mkdir()
        self.metrics = root / "metrics" / "train.jsonl"

    def spec(self, phase: str) -> PhaseSpec:
        env = {
            "MODEL_INFERENCE_PATH": str(self.model_dir),
            "ONLINESIM_PHASE": phase,
            "TMPDIR": str(self.scratch),
            "HOME": str(self.scratch),
            "ONLINESIM_SUBMISSION_CONFIG": str(self.package / "test_config.toml"),
            **self.extra_env,
        }
        if phase == "train":
            env |= {
                "IMAGE_TRAIN_INPUT_PATH": str(self.train_dir),
                "ONLINESIM_METRICS_PATH": str(self.metrics),
            }
            mounts = (
                Mount(self.train_dir),
                Mount(self.model_dir, writable=True),
                Mount(self.metrics.parent, writable=True),
            )
        else:
            env |= {"IMAGE_MODEL_PACKAGE_PATH": str(self.model_dir)}
            env |= {"IMAGE_INPUT_PATH": str(self.test_dir)}
            mounts = (Mount(self.test_dir), Mount(self.model_dir))
        return PhaseSpec(
            phase=phase,
            command=("python", f"{phase}.py"),
            workdir=self.package,
            env=env,
            mounts=mounts,
            limits=Limits(),
            log_path=self.log_path(phase),
            interactive=phase == "predict",
        )

    def log_path(self, phase: str) -> Path:
        return self.root / "logs" / f"{phase}.log"

    def metric_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.metrics.read_text().splitlines()]

    def metadata(self) -> dict:
        return json.loads((self.model_dir / "metadata.json").read_text(encoding="utf-8"))

    def requests(self) -> list[PredictRequest]:
        images = sorted(self.test_dir.rglob("*.jpg"))
        return [PredictRequest(f"q{i:02d}", p) for i, p in enumerate(images)]
