"""A sweep in order: resolve every rehearsal, copy the variants, run them on Ray, sum up.

Every rehearsal's settings are resolved before Ray starts, so a bad setting
is refused at once; the run folders are made by `simulate` in the runs folder
as any run's, and the sweep folder lists them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.package.variants import variant_copy, variants_from_files
from harness.settings.config import resolve_config
from harness.sweep.aggregate import Outcome, VariantAggregate, aggregate
from harness.sweep.executor import demand_of, execute, ray_session
from harness.sweep.grid import grid
from harness.sweep.layout import SweepLayout
from harness.sweep.summary import render_page, summary_document, write_summary


@dataclass(frozen=True)
class SweepPlan:
    """What to sweep and where to run it."""

    profiles: tuple[str, ...]
    seeds: tuple[int, ...]
    variant_files: tuple[Path, ...] = ()
    variant_target: str = "config.toml"
    address: str | None = None  # None: start a local Ray instance
    cpus_per_rehearsal: float = 1.0


@dataclass(frozen=True)
class SweepResult:
    layout: SweepLayout
    rows: list[VariantAggregate]
    outcomes: list[Outcome]


def absolute_paths(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Paths made absolute: a Ray worker may start elsewhere than the driver's folder."""
    values = dict(settings)
    for key in ("submission", "data", "runs_dir"):
        if values.get(key) is not None:
            values[key] = str(Path(values[key]).resolve())
    return values


def sweep(
    settings: Mapping[str, Any],
    plan: SweepPlan,
    config_file: Path | None = None,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    clock: Callable[[], float] = time.monotonic,
) -> SweepResult:
    """Every (variant, profile, seed) as a Ray task; summary.json and the page written after."""
    started, created = clock(), now()
    values = absolute_paths(settings)
    outer = resolve_config({**values, "profile": plan.profiles[0]}, config_file)
    variants = variants_from_files(plan.variant_files)
    rehearsals = grid(variants, plan.profiles, plan.seeds)
    layout = SweepLayout.under(Path(outer.runs_dir), f"{created:%Y%m%d-%H%M%S-%f}")
    try:
        packages = {}
        for variant in variants:
            packages[variant.name] = Path(outer.submission)
            if variant.file is not None:
                packages[variant.name] = variant_copy(
                    Path(outer.submission), variant, layout.variant(variant.name),
                    plan.variant_target,
                )  # fmt: skip
        jobs = []
        for rehearsal in rehearsals:
            config = resolve_config(
                {
                    **values,
                    "profile": rehearsal.profile,
                    "seed": rehearsal.seed,
                    "submission": str(packages[rehearsal.variant.name]),
                },
                config_file,
            )
            jobs.append((rehearsal, config, demand_of(config, plan.cpus_per_rehearsal)))
        grace = max(config.grace_s for _r, config, _d in jobs)
        with ray_session(plan.address) as ray:
            outcomes = execute(ray, jobs, on_outcome, grace)
    except BaseException:  # refused or interrupted: no summary, so no sweep folder either
        shutil.rmtree(layout.root, ignore_errors=True)
        raise
    shutil.rmtree(layout.variants, ignore_errors=True)
    rows = aggregate(outcomes)
    head = {
        "sweep_id": layout.root.name,
        "created": created.isoformat(timespec="seconds"),
        "elapsed_s": round(clock() - started, 3),
        "submission": outer.submission,
        "data": outer.data,
        "profiles": list(plan.profiles),
        "seeds": list(plan.seeds),
        "variants": [{"name": v.name, "file": v.file and str(v.file)} for v in variants],
        "ray": {"address": plan.address or "local", "cpus_per_rehearsal": plan.cpus_per_rehearsal},
    }
    document = summary_document(head, rows, outcomes)
    write_summary(document, layout.summary)
    layout.page.write_text(render_page(document, rows), encoding="utf-8")
    return SweepResult(layout, rows, outcomes)
