"""The offline environments of the 3rd-place team: tune fast, pretrain long.

Both are `simulate` runs under their own profile, arranged so that neither
ever trains or validates on the hold-out reserve that online test splits are
drawn from:

- tune runs on a *training-side view* of the data: the hold-out pool alone,
  hard-linked into a scratch folder. Its validation images are split off
  that pool, so a tuning score can never come from a future test image.
- pretrain trains on the whole pool (the `pretrain` profile), then installs
  the exported model into the submission's `weights/pretrained/` with a
  provenance record, which `simulate`'s leakage guard reads.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.config import RunConfig, resolve_config
from harness.dataset import ERROR_TYPES_FILE, scan_dataset
from harness.errors import UserError
from harness.holdout import split_holdout
from harness.image_reads import each_image_once
from harness.packaging import copy_contents
from harness.profiles import read_toml
from harness.provenance import (
    Installed,
    Provenance,
    install_pretrained,
    staged_images,
    weights_inventory,
)
from harness.simulate import RunObserver, RunResult, simulate
from harness.staging import link_or_copy

TUNE_PROFILE = "tune"
PRETRAIN_PROFILE = "pretrain"
BASELINE = "baseline"
DEFAULT_VARIANT_TARGET = "config.toml"
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
class Variant:
    """A configuration to try: a TOML file laid over the submission's config file, or none."""

    name: str
    file: Path | None = None


def variants_from_files(files: Sequence[Path]) -> list[Variant]:
    """The baseline (the submission as it is) first, then one per file (read now: fail early)."""
    variants = [Variant(BASELINE)]
    for path in files:
        if not Path(path).is_file():
            raise UserError(f"config variant not found: {path}", "pass an existing TOML file")
        read_toml(Path(path))
        name = Path(path).stem
        if any(v.name == name for v in variants):
            name = f"{name}-{len(variants)}"
        variants.append(Variant(name, Path(path)))
    return variants


def _toml_key(key: str) -> str:
    return (
        key
        if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)
        else (json.dumps(key, ensure_ascii=False))
    )


def _toml_value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item, where) for item in value) + "]"
    raise UserError(
        f"{where}: a {type(value).__name__} value cannot be overlaid",
        "use strings, numbers, booleans, lists and one level of [tables] in config variants",
    )


def toml_text(values: Mapping[str, Any], where: str) -> str:
    """Flat TOML (scalars, lists, one level of tables): enough for a config overlay."""
    lines = [
        f"{_toml_key(k)} = {_toml_value(v, where)}" for k, v in values.items() if not _is_table(v)
    ]
    for key, table in values.items():
        if _is_table(table):
            lines.append(f"\n[{_toml_key(key)}]")
            lines += [f"{_toml_key(k)} = {_toml_value(v, where)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def overlay(base: Mapping[str, Any], variant: Mapping[str, Any]) -> dict[str, Any]:
    """The variant's keys over the base's; tables are merged key by key, one level deep."""
    merged = dict(base)
    for key, value in variant.items():
        if _is_table(value) and _is_table(merged.get(key)):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def variant_copy(submission: Path, variant: Variant, target: Path, config_target: str) -> Path:
    """A junk-free copy of the submission with the variant laid over its config file.

    Only the keys the variant names change; a submission without that config
    file gets the variant file as it is.
    """
    copy_contents(submission, target)
    if variant.file is None:
        return target
    destination = target / config_target
    changes = read_toml(variant.file)
    if destination.is_file():
        merged = overlay(read_toml(destination), changes)
        destination.unlink()
        destination.write_text(toml_text(merged, str(variant.file)), encoding="utf-8")
    else:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(variant.file, destination)
    return target


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


@dataclass
class PretrainResult:
    """The pretraining run and, when it passed, what was installed."""

    run: RunResult
    installed: Installed | None
    provenance: Provenance | None


@each_image_once()
def pretrain(
    settings: Mapping[str, Any],
    config_file: Path | None = None,
    observer: RunObserver | None = None,
) -> PretrainResult:
    """Train on the whole pool; on a pass, install the model and its provenance.

    The provenance hashes of the staged images are the ones the run's hold-out
    already computed (each image is hashed once).
    """
    config = resolve_config({**settings, "profile": PRETRAIN_PROFILE}, config_file)
    submission = Path(config.submission)
    starting = weights_inventory(submission)
    result = simulate(config, observer)
    if not result.passed:
        return PretrainResult(result, None, None)
    provenance = Provenance(
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        run_id=result.report["run_id"],
        profile=config.profile,
        data_dir=result.report["data"]["source"],
        holdout=result.report["data"]["holdout"],
        config=asdict(config),
        submission_content_sha256=result.report["submission"]["content_sha256"],
        starting_weights=starting,
        images=staged_images(result.run_dir / "stage" / "train"),
    )
    installed = install_pretrained(result.run_dir / "model", submission, provenance, result.run_dir)
    return PretrainResult(result, installed, provenance)
