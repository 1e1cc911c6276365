"""tune: every variant on the same training-side view of the data, never the reserve."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from harness.data.holdout import split_holdout
from harness.data.image_reads import each_image_once, learned_so_far
from harness.data.scan import ERROR_TYPES_FILE, scan_dataset
from harness.data.staging import link_or_copy
from harness.package.variants import (
    DEFAULT_VARIANT_TARGET,
    Variant,
    variant_copy,
    variants_from_files,
)
from harness.report.run_folder import load_run
from harness.report.schema import RunReport
from harness.settings.config import RunConfig, resolve_config
from harness.sweep.aggregate import Outcome
from harness.sweep.executor import (
    TaskDemand,
    demand_of,
    execute,
    live_nodes,
    most_gpus,
    ray_session,
)
from harness.sweep.grid import Rehearsal
from harness.sweep.sweep import absolute_paths

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
    train_wall_s: float | None  # None: the variant's task failed before a run
    reasons: tuple[str, ...]


def _tune_row(variant: Variant, report: RunReport) -> TuneRow:
    train = report["phases"]["train"]
    return TuneRow(
        variant=variant.name,
        file=None if variant.file is None else str(variant.file),
        run_id=report["run_id"],
        passed=bool(report["verdict"]["passed"]),
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


@dataclass(frozen=True)
class TuneRay:
    """Where tune's variants run: a Ray instance started here (None) or a cluster, and
    the CPUs each variant reserves."""

    address: str | None = None
    cpus_per_variant: float = 1.0


def tune_demand(demand: TaskDemand, nodes: Sequence[Mapping[str, float]]) -> TaskDemand:
    """The profile's demand, without GPUs where no node has any.

    Tune has always run on a CPU-only machine (its phases then train on the
    CPU and the report says the GPU was not granted); a sweep refuses instead,
    because there a GPU profile is a choice. A cluster with some GPUs keeps the
    demand, and the executor refuses what no node can hold.
    """
    if most_gpus(nodes) > 0:
        return demand
    return replace(demand, num_gpus=0)


def row_of(outcome: Outcome) -> TuneRow:
    """The comparison row of one finished task: its report, or why it has none."""
    variant = outcome.rehearsal.variant
    if outcome.summary is None or outcome.run_dir is None:
        return TuneRow(
            variant=variant.name,
            file=None if variant.file is None else str(variant.file),
            run_id=outcome.run_dir or "-",
            passed=False,
            validation_accuracy=None,
            train_status="error",
            train_wall_s=None,
            reasons=(outcome.reason or "the variant ended without a run folder",),
        )
    return _tune_row(variant, load_run(Path(outcome.run_dir)).report)


@each_image_once()
def tune(
    settings: Mapping[str, Any],
    variant_files: Sequence[Path] = (),
    config_file: Path | None = None,
    config_target: str = DEFAULT_VARIANT_TARGET,
    on_row: Callable[[TuneRow], None] = lambda row: None,
    where: TuneRay = TuneRay(),
) -> TuneResult:
    """One `tune`-profile run per variant, all on the same training-side view of the data.

    Each variant is a task of the sweep executor, so variants run side by side
    where the Ray instance holds their declared CPUs and memory. The session
    folder `runs/tune-<time>/` keeps the view (hard links, the runs' `data.source`)
    and `summary.json`; the variants' package copies are deleted once every run
    ended (each run's report keeps their content hash). The view is made here,
    each image decoded and hashed once, and what was learned goes to every
    variant's Ray worker, so no run reads an image of the view again (on the
    same machine; docs/environments.md).
    """
    values = absolute_paths(settings)
    outer = resolve_config({**values, "profile": TUNE_PROFILE}, config_file)
    variants = variants_from_files(variant_files)
    session = Path(outer.runs_dir) / f"tune-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S-%f}"
    view = session / "data"
    training_side_view(Path(outer.data), outer.holdout_fraction, outer.holdout_seed, view)
    try:
        jobs = []
        for variant in variants:
            submission = Path(outer.submission)
            if variant.file is not None:
                copy = session / "variants" / variant.name
                submission = variant_copy(submission, variant, copy, config_target)
            inner = {
                **values,
                "profile": TUNE_PROFILE,
                "submission": str(submission),
                "data": str(view),
                "holdout_fraction": validation_fraction(outer),
            }
            config = resolve_config(inner, config_file)
            rehearsal = Rehearsal(variant, TUNE_PROFILE, config.seed)
            jobs.append((rehearsal, config, demand_of(config, where.cpus_per_variant)))
        with ray_session(where.address) as ray:
            nodes = live_nodes(ray)
            jobs = [(r, c, tune_demand(d, nodes)) for r, c, d in jobs]
            outcomes = execute(
                ray,
                jobs,
                lambda outcome: on_row(row_of(outcome)),
                max(config.grace_s for _r, config, _d in jobs),
                learned_so_far(),
            )
    finally:
        shutil.rmtree(session / "variants", ignore_errors=True)
    rows = [row_of(outcome) for outcome in outcomes]
    data_warnings = next(
        (
            list(load_run(Path(o.run_dir)).report["data"]["warnings"])
            for o in outcomes
            if o.summary is not None and o.run_dir is not None
        ),
        [],
    )
    summary = {
        "data": outer.data,
        "holdout": {"fraction": outer.holdout_fraction, "seed": outer.holdout_seed},
        "validation_fraction_of_pool": validation_fraction(outer),
        "ray": {"address": where.address or "local", "cpus_per_variant": where.cpus_per_variant},
        "rows": [asdict(row) for row in rows],
    }
    (session / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return TuneResult(rows, session, data_warnings)
