"""tune: every variant on the same training-side view of the data, never the reserve."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.data.holdout import split_holdout
from harness.data.image_reads import each_image_once
from harness.data.scan import ERROR_TYPES_FILE, scan_dataset
from harness.data.staging import link_or_copy
from harness.package.variants import (
    DEFAULT_VARIANT_TARGET,
    Variant,
    variant_copy,
    variants_from_files,
)
from harness.run.simulate import RunObserver, RunResult, simulate
from harness.settings.config import RunConfig, resolve_config

TUNE_PROFILE = "tune"
FALLBACK_VALIDATION_FRACTION = 0.25


def training_side_view(data_dir: Path, fraction: float, seed: int, target: Path) -> int:
    """Link the hold-out pool (never the reserve) into `target` as a data set; return its size."""
    dataset = scan_dataset(Path(data_dir))
    holdout = split_holdout(dataset, fraction, seed)
    for label, files in holdout.pool.items():
        folder = target / label
        folder.mkdir(parents=True)
        for source in files:
            link_or_copy(source, folder / source.name)
    table = dataset.root / ERROR_TYPES_FILE
    if table.is_file():
        shutil.copyfile(table, target / ERROR_TYPES_FILE)
    return holdout.pool_count


def validation_fraction(config: RunConfig) -> float:
    """Share of the pool set aside for validation: the profile's own test/(train+test)."""
    train, test = config.train_images, config.test_images
    if isinstance(train, int) and isinstance(test, int):
        return test / (train + test)
    return FALLBACK_VALIDATION_FRACTION


@dataclass(frozen=True)
class TuneRow:
    """One variant's tuning run, as the comparison table shows it."""

    variant: str
    file: str | None
    run_id: str
    passed: bool
    validation_accuracy: float | None
    train_status: str
    train_wall_s: float
    reasons: tuple[str, ...]


def _tune_row(variant: Variant, result: RunResult) -> TuneRow:
    report = result.report
    train = report["phases"]["train"]
    return TuneRow(
        variant=variant.name,
        file=None if variant.file is None else str(variant.file),
        run_id=report["run_id"],
        passed=result.passed,
        validation_accuracy=report["score"]["accuracy"],
        train_status=train["status"],
        train_wall_s=train["wall_s"],
        reasons=tuple(report["verdict"]["reasons"]),
    )


@dataclass
class TuneResult:
    """Every variant's row, and the session folder holding the data view and summary."""

    rows: list[TuneRow]
    session: Path
    data_warnings: list[str]


@each_image_once()
def tune(
    settings: Mapping[str, Any],
    variant_files: Sequence[Path] = (),
    config_file: Path | None = None,
    config_target: str = DEFAULT_VARIANT_TARGET,
    observer: RunObserver | None = None,
) -> TuneResult:
    """One `tune`-profile run per variant, all on the same training-side view of the data.

    The session folder `runs/tune-<time>/` keeps the view (hard links, the
    runs' `data.source`) and `summary.json`; the variants' package copies are
    deleted once their runs ended (each run's report keeps their content hash).
    Each image is decoded and hashed once for all variants: the view is hard links.
    """
    outer = resolve_config({**settings, "profile": TUNE_PROFILE}, config_file)
    variants = variants_from_files(variant_files)
    session = Path(outer.runs_dir) / f"tune-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S-%f}"
    view = session / "data"
    training_side_view(Path(outer.data), outer.holdout_fraction, outer.holdout_seed, view)
    rows = []
    data_warnings: list[str] = []
    for variant in variants:
        submission = Path(outer.submission)
        copy = session / "variants" / variant.name
        if variant.file is not None:
            submission = variant_copy(submission, variant, copy, config_target)
        inner = {
            **settings,
            "profile": TUNE_PROFILE,
            "submission": str(submission),
            "data": str(view),
            "holdout_fraction": validation_fraction(outer),
        }
        try:
            result = simulate(resolve_config(inner, config_file), observer)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        rows.append(_tune_row(variant, result))
        data_warnings = data_warnings or list(result.report["data"]["warnings"])
    shutil.rmtree(session / "variants", ignore_errors=True)
    summary = {
        "data": outer.data,
        "holdout": {"fraction": outer.holdout_fraction, "seed": outer.holdout_seed},
        "validation_fraction_of_pool": validation_fraction(outer),
        "rows": [asdict(row) for row in rows],
    }
    (session / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return TuneResult(rows, session, data_warnings)
