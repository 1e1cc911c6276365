"""The reference submission, with a tiny backbone, trained and served through the harness."""

import json
import shutil
from pathlib import Path

import pytest

from harness.demo_data import make_image_set
from harness.outcome import Status
from harness.phases import PredictLimits, PredictRequest, run_predict, run_train
from harness.runners import create_runner
from harness.runners.base import Limits, Mount, PhaseSpec

SUBMISSION = Path(__file__).resolve().parents[2] / "submission"
CLASSES = ("cardboard", "glass", "纸箱")
TINY = """backbones = ["tiny", "tiny"]
pretrained = false
aug_copies = 1
head_epochs = 20
finetune_epochs = 2
"""


class Run:
    def __init__(self, root: Path, config: str) -> None:
        self.root = root
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
            log_path=self.root / "logs" / f"{phase}.log",
            interactive=phase == "predict",
        )

    def metric_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.metrics.read_text().splitlines()]


@pytest.fixture(scope="module")
def runner():
    return create_runner("process")


def test_trains_exports_and_answers_through_the_harness(tmp_path, runner):
    run = Run(tmp_path, TINY)
    outcome = run_train(runner, run.spec("train"), 120.0, 5.0, run.model_dir)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)

    meta = json.loads((run.model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert meta["classes"] == sorted(CLASSES)
    assert {m["backbone"] for m in meta["members"]} == {"tiny"}
    stages = [line["stage"] for line in run.metric_lines()]
    assert {"features", "head", "export", "finetune", "done"} <= set(stages)
    assert stages.index("export") < stages.index("finetune")  # exported before improving
    head_epochs = [line for line in run.metric_lines() if line["stage"] == "head"]
    assert all({"epoch", "loss", "val_accuracy", "time"} <= set(x) for x in head_epochs)

    images = sorted(run.test_dir.rglob("*.jpg"))
    requests = [PredictRequest(f"q{i:02d}", p) for i, p in enumerate(images)]
    limits = PredictLimits(setup_s=60.0, per_image_s=2.0, request_timeout_s=20.0, grace_s=5.0)
    outcome, answers = run_predict(runner, run.spec("predict"), requests, CLASSES, limits)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert len(answers) == len(requests)
    assert {a.label for a in answers} <= set(CLASSES)
    assert all(abs(sum(a.scores.values()) - 1.0) < 1e-3 for a in answers)


def test_model_exported_when_the_budget_cuts_training_short(tmp_path, runner):
    endless = TINY.replace("head_epochs = 20", "head_epochs = 1000000")
    run = Run(tmp_path, endless + "margin_min_s = 4.0\n")
    outcome = run_train(runner, run.spec("train"), 30.0, 5.0, run.model_dir)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert (run.model_dir / "metadata.json").is_file()
    last_epoch = max(x["epoch"] for x in run.metric_lines() if x["stage"] == "head")
    assert 1 <= last_epoch < 1000000
    assert outcome.wall_s < 30.0


def test_missing_weights_is_a_clear_error(tmp_path, runner):
    run = Run(tmp_path, 'backbones = ["efficientnet_lite0"]\n')
    outcome = run_train(runner, run.spec("train"), 60.0, 5.0, run.model_dir)
    assert outcome.status is Status.CRASHED and outcome.exit_code == 2
    log = "\n".join(outcome.log_tail)
    assert "efficientnet_lite0.weights.h5" in log and "garbage.convert_lite lite0" in log
    assert "Traceback" not in log
