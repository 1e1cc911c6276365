"""Training configuration: one dataclass, with a stated precedence.

Precedence (highest first): the TOML file named by ONLINESIM_SUBMISSION_CONFIG,
then submission/config.toml (the defaults that scored best in the benchmark),
then the dataclass defaults below. Unknown keys are an error, not ignored.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = PACKAGE_ROOT / "config.toml"
OVERRIDE_ENV = "ONLINESIM_SUBMISSION_CONFIG"


class ConfigError(ValueError):
    """The config file holds a key or value this submission does not know."""


@dataclass
class TrainConfig:
    backbones: list[str] = field(default_factory=lambda: ["efficientnet_lite0"])
    pretrained: bool = True
    # backbone -> the image side it reads, in place of its native size (its weights fit any)
    input_sizes: dict[str, int] = field(default_factory=dict)
    top_blocks: int = 1  # blocks at the end of each backbone that fine-tuning trains
    aug_copies: int = 2  # augmented copies of each training image in the feature cache
    cache_memory_mb: float = 0.0  # memory limit the pixel cache plans against; 0: cgroup or RAM
    val_fraction: float = 0.15
    head: str = "se"  # "dense" or "se" (SVD reduction + squeeze-excitation attention)
    svd_energy: float = 0.9
    head_epochs: int = 100
    head_batch: int = 64
    head_lr: float = 1e-3
    dropout: float = 0.3
    loss: str = "ce"  # "ce" or "focal"
    focal_gamma: float = 2.0
    label_smoothing: float = 0.1
    mixup_alpha: float = 0.2  # 0 disables mixup
    cost_table: str = "config/error_types.csv"  # relative to the package; "" = uniform
    finetune: bool = True
    finetune_lr: float = 1e-4
    finetune_epochs: int = 40
    # fine-tune on the validation images too, keeping the annealed last epoch: validation
    # then picks only the heads' epochs, and the fine-tuned model has no validation figure
    finetune_on_all: bool = False
    # keep the mean of the fine-tune's epochs in the annealed second half, not its best
    # validation epoch (weight_average.py)
    finetune_average: bool = False
    ensemble: bool = True
    tta_flip: bool = True  # predict: average the image and its mirror image
    default_budget_s: float = 3 * 3600.0  # when the harness gives no deadline
    margin_fraction: float = 0.08  # of the budget kept free before the deadline
    margin_min_s: float = 8.0
    seed: int = 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _same_kind(default: object, value: object) -> bool:
    """Whether `value` may replace `default`: the same type (an int stands for a float)."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return default is None or isinstance(value, type(default))


def _apply(config: TrainConfig, values: dict, source: Path) -> None:
    known = {f.name: f for f in dataclasses.fields(TrainConfig)}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{source}: unknown key {key!r}; valid keys: {', '.join(known)}")
        current = getattr(config, key)
        if not _same_kind(current, value):
            raise ConfigError(
                f"{source}: {key} must be a {type(current).__name__} like {current!r}, "
                f"got the {type(value).__name__} {value!r}"
            )
        setattr(config, key, float(value) if isinstance(current, float) else value)


# 32: the five stride-2 stages leave one pixel. 1024: already 17.6 GiB of pixel cache
# for 6,000 images, and 21 times Lite0's native cost per image
INPUT_SIDES = range(32, 1025)


def check_input_sizes(config: TrainConfig) -> None:
    """A misspelt or unconfigured name would otherwise be ignored, and the run read at the
    native size without a word."""
    for name, side in config.input_sizes.items():
        if name not in config.backbones:
            raise ConfigError(
                f"input_sizes names {name!r}, which is not in backbones {config.backbones}; "
                "use one of those names, or remove the entry"
            )
        if isinstance(side, bool) or not isinstance(side, int) or side not in INPUT_SIDES:
            raise ConfigError(
                f"input_sizes.{name} must be a whole number of pixels from {INPUT_SIDES.start} "
                f"to {INPUT_SIDES.stop - 1}, got {side!r}"
            )


def load_config(env: dict[str, str] | None = None) -> TrainConfig:
    """Defaults < submission/config.toml < the file named by ONLINESIM_SUBMISSION_CONFIG."""
    env = os.environ if env is None else env
    config = TrainConfig()
    files = [DEFAULT_FILE] if DEFAULT_FILE.is_file() else []
    if env.get(OVERRIDE_ENV):
        override = Path(env[OVERRIDE_ENV])
        if not override.is_file():
            raise ConfigError(f"{OVERRIDE_ENV} names {override}, which is not a file")
        files.append(override)
    for path in files:
        with path.open("rb") as fh:
            _apply(config, tomllib.load(fh), path)
    return config


def write_resolved(config: TrainConfig, path: Path) -> None:
    path.write_text(json.dumps(config.to_dict(), indent=2) + "\n", encoding="utf-8")
