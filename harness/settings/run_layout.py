"""Where everything of one run lives: the only place that names a path in `runs/<id>/`.

Writers (simulate, scoring, report, pretrain) and readers (the page, compare,
the upload gate) ask the layout, so a renamed file changes in one line. Old
run folders (schema 1, key in `answers.csv`) keep opening: readers find
files through report.json's `files`, and none reads the key back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunLayout:
    """The paths of one run folder, all derived from its root."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.json"

    @property
    def stage(self) -> Path:
        return self.root / "stage"

    @property
    def stage_train(self) -> Path:
        return self.stage / "train"

    @property
    def stage_test(self) -> Path:
        return self.stage / "test"

    @property
    def model(self) -> Path:
        return self.root / "model"

    @property
    def train_metrics(self) -> Path:
        return self.root / "metrics" / "train_metrics.jsonl"

    @property
    def resources(self) -> Path:
        return self.root / "resources.jsonl"

    @property
    def answer_key(self) -> Path:
        return self.root / "answer_key.csv"

    @property
    def predictions(self) -> Path:
        return self.root / "predictions.csv"

    @property
    def report(self) -> Path:
        return self.root / "report.json"

    @property
    def page(self) -> Path:
        return self.root / "report.html"

    def log(self, phase: str) -> Path:
        return self.root / "logs" / f"{phase}.log"

    @property
    def harness_log(self) -> Path:
        """Library warnings of the harness's own process (`run.library_log`)."""
        return self.root / "logs" / "harness.log"

    def work(self, phase: str) -> Path:
        """The phase's package copy, deleted after the phase."""
        return self.root / "work" / phase

    def scratch(self, phase: str) -> Path:
        """The phase's TMPDIR and HOME, deleted after the phase."""
        return self.root / "scratch" / phase

    def relative(self, path: Path) -> str:
        """`path` as report.json's `files` names it: relative to the run folder."""
        return path.relative_to(self.root).as_posix()
