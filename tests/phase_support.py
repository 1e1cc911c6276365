"""A run folder laid out as the harness lays it out, tiny generated images, and toy PhaseSpecs.

Shared by the execution tests (process runner) and the docker tests, so both
runners are exercised on one layout: the staged split, the model and metrics
folders, a scratch folder, and a package copy per toy under work/, as simulate
makes them. Each phase's variables and mounts come from
harness/phases/contract_env.py, as simulate's do; a test's own variables
(`TOY_...`) are the package's `env`.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from harness.data.demo import make_image_set
from harness.phases import PredictLimits, PredictRequest
from harness.phases.contract_env import (
    PhaseVariables,
    RunFolders,
    make_scratch,
    predict_variables,
    train_variables,
)
from harness.runners.base import Limits, PhaseSpec
from harness.settings.run_layout import RunLayout

TOYS = Path(__file__).resolve().parent / "toys"
CLASSES = ("cardboard", "glass", "纸箱")
PROFILE = "test"
# What predict's variables announce; each test enforces its own limits, which no toy reads.
ANNOUNCED_LIMITS = PredictLimits(setup_s=20.0, per_image_s=0.5, request_timeout_s=5.0, grace_s=2.0)


@dataclass
class RunFolder:
    """The run folder, the test requests and their answer key (kept out of every mount)."""

    root: Path
    train_dir: Path
    test_dir: Path
    model_dir: Path
    metrics_path: Path
    scratch: Path  # made by make_scratch: TMPDIR and HOME below it
    requests: list[PredictRequest]
    truth: dict[str, str]
    hidden: tuple[Path, ...] = ()

    @property
    def layout(self) -> RunLayout:
        return RunLayout(self.root)

    def package(self, toy: str) -> Path:
        """A copy of the toy, as the harness gives each phase; made once per toy."""
        target = self.layout.work(toy)
        if not target.exists():
            shutil.copytree(TOYS / toy, target)
        return target

    def folders(self) -> RunFolders:
        return RunFolders(self.train_dir, self.test_dir, self.model_dir, self.metrics_path)

    def train_spec(self, toy: str, limits: Limits | None = None, **env: str) -> PhaseSpec:
        variables = train_variables(self.folders(), PROFILE, self.scratch, env)
        return self._spec(variables, toy, limits)

    def predict_spec(self, toy: str, limits: Limits | None = None, **env: str) -> PhaseSpec:
        variables = predict_variables(self.folders(), PROFILE, self.scratch, ANNOUNCED_LIMITS, env)
        return self._spec(variables, toy, limits)

    def _spec(self, variables: PhaseVariables, toy: str, limits: Limits | None) -> PhaseSpec:
        phase = variables.phase
        log_path = self.layout.log(phase)
        command = ("python", f"{phase}.py")
        return variables.spec(command, self.package(toy), limits or Limits(), log_path, self.hidden)

    def train_log(self) -> list[str]:
        return self.layout.log("train").read_text(encoding="utf-8").splitlines()

    def write_answer_key(self) -> Path:
        """The key in the run folder, where answer_key.csv goes: outside every mount."""
        key = "id,label\n" + "".join(f"{i},{label}\n" for i, label in self.truth.items())
        path = self.layout.answer_key
        path.write_text(key, encoding="utf-8")
        return path

    def accuracy(self, answers) -> float:
        return sum(a.label == self.truth[a.id] for a in answers) / len(self.truth)


def make_run_folder(tmp_path: Path, hidden: tuple[Path, ...] = ()) -> RunFolder:
    """runs/r1 under `tmp_path`: 4 train and 3 test images per class, test names opaque."""
    layout = RunLayout(tmp_path / "runs" / "r1")
    train_dir = make_image_set(layout.stage_train, CLASSES, per_class=4, size=32)
    source = make_image_set(tmp_path / "held_out", CLASSES, per_class=3, size=32, seed=1)
    test_dir = layout.stage_test
    test_dir.mkdir(parents=True)
    requests, truth = [], {}
    for number, image in enumerate(sorted(source.rglob("*.jpg"))):
        opaque = f"img{number:03d}x"
        shutil.copy(image, test_dir / f"{opaque}.jpg")
        requests.append(PredictRequest(opaque, test_dir / f"{opaque}.jpg"))
        truth[opaque] = image.parent.name
    shutil.rmtree(source)
    model_dir = layout.model
    model_dir.mkdir()
    metrics_path = layout.train_metrics
    metrics_path.parent.mkdir()
    scratch = make_scratch(layout.root / "scratch")  # one for both phases: no per-phase cleanup
    return RunFolder(
        layout.root, train_dir, test_dir, model_dir, metrics_path, scratch, requests, truth, hidden
    )


def seen_by_toy(log: Path) -> dict:
    """What tests/toys/reports_resources saw in a phase: its `toy sees: {...}` log line."""
    (line,) = [x for x in log.read_text(encoding="utf-8").splitlines() if "toy sees: " in x]
    return json.loads(line.split("toy sees: ", 1)[1])
