"""What train.py runs: read the contract's environment, train, always leave a model behind."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

from garbage.tf_switches import set_before_import

ENV_HELP = "set IMAGE_TRAIN_INPUT_PATH and MODEL_INFERENCE_PATH (see docs/contract.md)"


def main() -> int:
    set_before_import(log_level="2")
    from garbage.backbones import MissingWeightsError, UnknownBackboneError
    from garbage.budget import Budget
    from garbage.config import ConfigError, load_config
    from garbage.device import GPU_MEMORY_LIMIT_ENV
    from garbage.images import DataError
    from garbage.metrics import MetricsLog
    from garbage.training import Trainer

    train_dir, model_dir = (
        os.environ.get(k) for k in ("IMAGE_TRAIN_INPUT_PATH", "MODEL_INFERENCE_PATH")
    )
    if not train_dir or not model_dir:
        print(f"train: {ENV_HELP}", file=sys.stderr)
        return 2
    try:
        config = load_config()
        budget = Budget.from_env(
            dict(os.environ), config.default_budget_s, config.margin_fraction, config.margin_min_s
        )
        metrics = MetricsLog(os.environ.get("ONLINESIM_METRICS_PATH"))
        gpu_limit = os.environ.get(GPU_MEMORY_LIMIT_ENV, "")
        Trainer(
            config,
            Path(train_dir),
            Path(model_dir),
            budget,
            metrics,
            gpu_memory_limit_bytes=int(gpu_limit) if gpu_limit.isdigit() else None,
        ).run()
    except (ConfigError, DataError, MissingWeightsError, UnknownBackboneError) as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    return 0


def exit_without_teardown(code: int) -> NoReturn:
    """Ends the process as soon as the model is on disk, without the interpreter's teardown:
    clearing every module (TensorFlow's with them) took up to 70 s after the last export
    (docs/benchmarks.md), time charged to the training budget that trains nothing and
    enough to push a run past its deadline. Every file is already closed; stdio is flushed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
