"""The checks before a run: manifest, data, split and leakage, decided before anything is written.

Kept apart from the run itself so that every refusal happens while no run
folder exists yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.data.holdout import split_holdout
from harness.data.image_reads import each_image_once
from harness.data.scan import Dataset, scan_dataset
from harness.data.staging import SplitPlan, SplitRequest, plan_split
from harness.errors import UserError
from harness.package import content_hash
from harness.package.contents import refuse_problems, scan
from harness.package.manifest import Manifest, load_manifest
from harness.package.provenance import check_leakage
from harness.settings.config import RunConfig


@dataclass
class Prepared:
    """Everything decided before the run folder exists (so refusals leave nothing behind)."""

    manifest: Manifest
    dataset: Dataset
    plan: SplitPlan
    holdout: dict
    warnings: list[str]
    content_sha256: str


@each_image_once()  # the scan, the hold-out and the leakage check share each image
def prepare(config: RunConfig) -> Prepared:
    """Check the submission and the data, choose the split, refuse leakage; writes nothing."""
    manifest = load_manifest(Path(config.submission))
    refuse_problems(scan(manifest.root, leave_out=(Path(config.runs_dir),)))
    dataset = scan_dataset(Path(config.data))
    holdout = split_holdout(
        dataset, config.holdout_fraction, config.holdout_seed, config.near_duplicate_bits
    )
    request = SplitRequest(
        train_images=config.train_images,
        test_images=config.test_images,
        seed=config.seed,
        when_short=config.when_short,
        min_train_per_class=config.min_train_per_class,
        min_test_images=config.min_test_images,
    )
    plan = plan_split(holdout, request)
    warnings: list[str] = [manifest.derived] if manifest.derived else []
    if holdout.duplicates_left_out:
        names = ", ".join(path.name for path in holdout.duplicates_left_out[:5])
        warnings.append(
            f"{len(holdout.duplicates_left_out)} image(s) left out of training: the same bytes "
            f"as a test-reserve image ({names})"
        )
    if holdout.near_duplicates_left_out:
        names = ", ".join(path.name for path in holdout.near_duplicates_left_out[:5])
        warnings.append(
            f"{len(holdout.near_duplicates_left_out)} image(s) left out of training: within "
            f"{config.near_duplicate_bits} dHash bits of a test-reserve image ({names})"
        )
    test_files = [path for files in plan.test.values() for path in files]
    leakage = check_leakage(manifest.root, test_files)
    if leakage.overlapping:
        if not config.allow_leakage:
            raise UserError(leakage.message, hint="or pass --allow-leakage to run anyway.")
        warnings.append(f"LEAKAGE (allowed with --allow-leakage): {leakage.message}")
    return Prepared(
        manifest,
        dataset,
        plan,
        holdout.summary(),
        warnings,
        content_hash(manifest.root, leave_out=(Path(config.runs_dir),)),
    )
