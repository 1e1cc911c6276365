"""pretrain: train on the whole hold-out pool, then install the model with its provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.data.image_reads import each_image_once
from harness.package.provenance import (
    Installed,
    Provenance,
    install_pretrained,
    staged_images,
    weights_inventory,
)
from harness.run.simulate import RunObserver, RunResult, simulate
from harness.settings.config import resolve_config

PRETRAIN_PROFILE = "pretrain"


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
        images=staged_images(result.layout.stage_train),
    )
    installed = install_pretrained(result.layout.model, submission, provenance, result.run_dir)
    return PretrainResult(result, installed, provenance)
