"""A copy of the reference submission with a tiny config, and its PhaseSpecs for the harness.

Shared by the through-the-harness tests (TensorFlow and torch backends).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.data.demo import make_image_set
from harness.phases import PredictLimits, PredictRequest
from harness.phases.contract_env import (
    RunFolders,
    make_scratch,
    predict_variables,
    train_variables,
)
from harness.runners.base import Limits, PhaseSpec
from harness.settings.run_layout import RunLayout

SUBMISSION = Path(__file__).resolve().parents[2] / "submission"
CLASSES = ("cardboard", "glass", "纸箱")
# The tiny random-init backbone's features are small (about 0.04), so its head needs a
# larger step than a pretrained backbone's to learn within a few hundred steps.
TINY = """backbones = ["tiny", "tiny"]
pretrained = false
aug_copies = 1
head_epochs = 40
head_lr = 0.01
finetune_epochs = 2
"""
PREDICT_LIMITS = PredictLimits(setup_s=60.0, per_image_s=2.0, request_timeout_s=20.0, grace_s=5.0)
PROFILE = "test"  # not a profile of profiles.toml: these runs set their own limits


class Run:
    """The package copy, a tiny train/test split, and the folders a harness run gives it.

    `env` is added to both phases' environment (e.g. KERAS_BACKEND), as a manifest's would be.
    """

    def __init__(self, root: Path, config: str, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.layout = RunLayout(root)
        self.package = root / "package"
        config_path = self.package / "test_config.toml"
        self.package_env = {**(env or {}), "ONLINESIM_SUBMISSION_CONFIG": str(config_path)}
        shutil.copytree(
            SUBMISSION, self.package, ignore=shutil.ignore_patterns("weights", "__pycache__")
        )
        config_path.write_text(config, encoding="utf-8")
        self.train_dir = make_image_set(self.layout.stage_train, CLASSES, per_class=8, size=40)
        self.test_dir = make_image_set(root / "held", CLASSES, per_class=3, size=40, seed=1)
        self.model_dir = self.layout.model
        self.model_dir.mkdir()
        self.scratch = make_scratch(root / "scratch")
        self.metrics = self.layout.train_metrics
        self.metrics.parent.mkdir()
        self.folders = RunFolders(self.train_dir, self.test_dir, self.model_dir, self.metrics)

    def spec(self, phase: str) -> PhaseSpec:
        if phase == "train":
            variables = train_variables(self.folders, PROFILE, self.scratch, self.package_env)
        else:
            variables = predict_variables(
                self.folders, PROFILE, self.scratch, PREDICT_LIMITS, self.package_env
            )
        command = ("python", f"{phase}.py")
        return variables.spec(command, self.package, Limits(), self.log_path(phase))

    def log_path(self, phase: str) -> Path:
        return self.layout.log(phase)

    def metric_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.metrics.read_text().splitlines()]

    def metadata(self) -> dict:
        return json.loads((self.model_dir / "metadata.json").read_text(encoding="utf-8"))

    def requests(self) -> list[PredictRequest]:
        images = sorted(self.test_dir.rglob("*.jpg"))
        return [PredictRequest(f"q{i:02d}", p) for i, p in enumerate(images)]
