"""One RunConfig per rehearsal, resolved with a stated precedence.

Precedence, highest first: the command line (flags, then `--set key=value`),
the config file (`--config FILE`, TOML), the chosen profile, the profile
file's [defaults]. The resolved config is written to the run folder as
config.json, so a run can always be explained and repeated.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.errors import UserError
from harness.runners import DEFAULT_DOCKER_IMAGE, default_docker_image
from harness.settings.profiles import (
    BUILTIN_PROFILES,
    PROFILE_SETTINGS,
    boolean,
    builtin_tables,
    check_value,
    merge_profile_tables,
    non_negative_int,
    pick_profile,
    positive_float,
    read_toml,
    resolve_profiles,
)

DEFAULT_PROFILE = "online"
RUNNERS = ("process", "docker", "auto")
PATH_KEYS = ("submission", "data", "runs_dir")


def _path_text(value: Any) -> str:
    if not isinstance(value, str | Path) or not str(value):
        raise ValueError("a path")
    return str(value)


def _runner_name(value: Any) -> str:
    if value not in RUNNERS:
        raise ValueError(" or ".join(f'"{name}"' for name in RUNNERS))
    return value


def _image_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError('an image name, e.g. "onlinesim:latest"')
    return value


RUN_SETTINGS = {
    "profile": _path_text,
    "submission": _path_text,
    "data": _path_text,
    "runs_dir": _path_text,
    "runner": _runner_name,
    "seed": non_negative_int,
    "time_scale": positive_float,
    "allow_leakage": boolean,
    "docker_image": _image_name,
}


@dataclass(frozen=True)
class ScaledLimits:
    """The limits a run enforces: the profile's numbers times the time scale."""

    train_budget_s: float
    predict_setup_s: float
    per_image_s: float
    request_timeout_s: float
    grace_s: float


@dataclass(frozen=True)
class RunConfig:
    """Everything one rehearsal runs under; see docs/profiles.md for each field."""

    profile: str
    submission: str
    data: str
    description: str
    train_images: int | str
    test_images: int | str
    train_budget_s: float
    per_image_ms: float
    predict_setup_s: float
    request_timeout_s: float
    grace_s: float
    memory_limit_mb: int | None
    network: bool
    gpu: int
    gpu_memory_limit_mb: int | None
    holdout_fraction: float
    holdout_seed: int
    near_duplicate_bits: int
    when_short: str
    min_train_per_class: int
    min_test_images: int
    runs_dir: str = "runs"
    runner: str = "process"
    seed: int = 0
    time_scale: float = 1.0
    allow_leakage: bool = False
    docker_image: str = DEFAULT_DOCKER_IMAGE

    @property
    def memory_limit_bytes(self) -> int | None:
        return None if self.memory_limit_mb is None else self.memory_limit_mb * 1024 * 1024

    @property
    def gpu_memory_limit_bytes(self) -> int | None:
        return None if self.gpu_memory_limit_mb is None else self.gpu_memory_limit_mb * 1024 * 1024

    def scaled(self) -> ScaledLimits:
        """Every budget stretched by time_scale; grace is harness mechanics, not a budget."""
        k = self.time_scale
        return ScaledLimits(
            train_budget_s=self.train_budget_s * k,
            predict_setup_s=self.predict_setup_s * k,
            per_image_s=self.per_image_ms / 1000.0 * k,
            request_timeout_s=self.request_timeout_s * k,
            grace_s=self.grace_s,
        )

    def profile_settings(self) -> dict[str, Any]:
        """The profile part of the config (what report.json shows as `profile`)."""
        values = asdict(self)
        shown = {"name": self.profile}
        shown.update({key: values[key] for key in PROFILE_SETTINGS})
        shown["seed"] = self.seed
        return shown

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    def write(self, run_dir: Path) -> Path:
        path = Path(run_dir) / "config.json"
        path.write_text(self.to_json(), encoding="utf-8")
        return path


def _check(key: str, value: Any, source: str) -> Any:
    convert = RUN_SETTINGS.get(key)
    if convert is None:
        if key in PROFILE_SETTINGS:
            return check_value(key, value, source)
        valid = ", ".join([*RUN_SETTINGS, *PROFILE_SETTINGS])
        raise UserError(f"{source}: unknown setting '{key}'.", hint=f"valid settings: {valid}")
    try:
        return convert(value)
    except ValueError as error:
        raise UserError(f"{source}: {key} must be {error}, got {value!r}.") from None


def parse_set_value(text: str) -> Any:
    """A `--set` value as TOML would read it (numbers, true/false, "quoted"), else the text."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def parse_set_options(items: list[str] | None) -> dict[str, Any]:
    """`["key=value", ...]` into a dict; a UserError for an item without `=`."""
    parsed: dict[str, Any] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set {item!r}: expected key=value, for example --set seed=3.")
        parsed[key.strip()] = parse_set_value(text.strip())
    return parsed


def _file_values(config_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """A config file's settings (paths made relative to its folder) and its profile tables."""
    raw = read_toml(config_path)
    profile_tables = raw.pop("profiles", {})
    if not isinstance(profile_tables, Mapping):
        raise UserError(f"{config_path}: 'profiles' must be tables [profiles.<name>].")
    values = {key: _check(key, value, str(config_path)) for key, value in raw.items()}
    for key in PATH_KEYS:
        if key in values:
            values[key] = str(config_path.parent / values[key])
    return values, dict(profile_tables)


def resolve_config(cli: Mapping[str, Any], config_path: Path | None = None) -> RunConfig:
    """CLI > config file > profile > [defaults]; `cli` holds only the keys the user gave."""
    file_values: dict[str, Any] = {}
    tables = builtin_tables()
    source = str(BUILTIN_PROFILES)
    if config_path is not None:
        file_values, extra_tables = _file_values(Path(config_path))
        tables = merge_profile_tables(tables, extra_tables, str(config_path))
        source = f"{BUILTIN_PROFILES} with {config_path}"
    cli_values = {key: _check(key, value, "command line") for key, value in cli.items()}
    profiles = resolve_profiles(tables, source)
    name = cli_values.get("profile") or file_values.get("profile") or DEFAULT_PROFILE
    values: dict[str, Any] = dict(pick_profile(profiles, name))  # RunConfig fills the rest
    values.update(file_values)
    values.update(cli_values)
    values["profile"] = name
    values.setdefault("docker_image", default_docker_image())
    for key in ("submission", "data"):
        if key not in values:
            raise UserError(
                f"no {key} folder given.",
                hint=f'pass --{key} DIR, or set {key} = "DIR" in the config file.',
            )
    return RunConfig(**values)
