"""Every setting, declared once: its name, kind of value, default, help, and scope.

Everything else is made from this table: the profile loader fills a profile
from the profile settings' defaults, `RunConfig` has one field per setting,
each run setting is a command-line flag whose help is the setting's help, and
`--help` lists the profile settings for `--set`. A test checks that
docs/profiles.md lists every setting with its default.

Adding a setting is one entry here (and its row in docs/profiles.md); a run
setting becomes a flag of simulate, tune and pretrain by itself.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from harness.errors import UserError
from harness.settings.values import (
    BOOLEAN,
    COUNT_OR_ALL,
    FRACTION,
    HASH_BITS,
    IMAGE_NAME,
    MEBIBYTES_OR_NONE,
    NAME,
    NON_NEGATIVE_NUMBER,
    NON_NEGATIVE_WHOLE,
    PATH,
    POSITIVE_NUMBER,
    TEXT,
    ValueKind,
    choice_of,
)

DOCKER_IMAGE_ENV = "ONLINESIM_DOCKER_IMAGE"
NO_DEFAULT: Any = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()


class Scope(StrEnum):
    """A profile setting belongs to a named profile; a run setting to one run (and has a flag)."""

    PROFILE = "profile"
    RUN = "run"


def toml_literal(value: Any) -> str:
    """`value` as it is written in a TOML file."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


@dataclass(frozen=True)
class Setting:
    """One setting. The default is written as in TOML and checked like any other value."""

    name: str
    kind: ValueKind
    help: str
    scope: Scope
    default: Any = NO_DEFAULT
    default_env: str | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def default_value(self) -> Any:
        """The default, from `default_env` when that variable is set and not empty."""
        if self.default_env and os.environ.get(self.default_env):
            return os.environ[self.default_env]
        return self.default

    def default_text(self) -> str:
        """The default as docs/profiles.md and `--help` state it."""
        if not self.has_default:
            return "per profile" if self.scope is Scope.PROFILE else "(required)"
        text = f"`{toml_literal(self.default)}`"
        return f"`${self.default_env}`, else {text}" if self.default_env else text

    def check(self, value: Any, source: str) -> Any:
        """The checked value; a UserError naming `source` and the rule otherwise."""
        try:
            return self.kind.check(value)
        except ValueError as error:
            raise UserError(f"{source}: {self.name} must be {error}, got {value!r}.") from None


def _profile(name: str, kind: ValueKind, help: str, default: Any = NO_DEFAULT) -> Setting:
    return Setting(name, kind, help, Scope.PROFILE, default)


def _run(name: str, kind: ValueKind, help: str, default: Any = NO_DEFAULT, env=None) -> Setting:
    return Setting(name, kind, help, Scope.RUN, default, env)


SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in (
        _run(
            "profile",
            NAME,
            "the named set of numbers to run under: online, tune, pretrain, smoke "
            "(harness/settings/profiles.toml) or one from the config file",
            "online",
        ),
        _run("submission", PATH, "folder holding submission.toml"),
        _run("data", PATH, "a data set: <class>/<image> inside"),
        _run("runs_dir", PATH, "where run folders are made", "runs"),
        _run(
            "runner",
            NAME,
            "where the phases run: a runner of harness/runners, or auto "
            "(docker when an engine answers and has the image, else process)",
            "process",
        ),
        _run("seed", NON_NEGATIVE_WHOLE, "seed of the train/test draw from pool and reserve", 0),
        _run("time_scale", POSITIVE_NUMBER, "factor on every budget (not on grace_s)", 1.0),
        _run(
            "allow_leakage",
            BOOLEAN,
            "run even when pretrained weights saw images held out for this run (the report warns)",
            False,
        ),
        _run(
            "docker_image",
            IMAGE_NAME,
            "the image the docker runner starts each phase from (docs/docker.md)",
            "onlinesim:latest",
            env=DOCKER_IMAGE_ENV,
        ),
        _profile("description", TEXT, "one line saying what the profile is for"),
        _profile("train_images", COUNT_OR_ALL, 'training images staged, or "all" (the whole pool)'),
        _profile(
            "test_images",
            COUNT_OR_ALL,
            'test images staged from the hold-out reserve, or "all"',
        ),
        _profile("train_budget_s", POSITIVE_NUMBER, "wall-clock budget of the train phase"),
        _profile(
            "per_image_ms",
            POSITIVE_NUMBER,
            "each predicted image must be answered within this",
            500.0,
        ),
        _profile(
            "predict_setup_s",
            POSITIVE_NUMBER,
            'unknown in the contest: time to load before {"ready": true}',
            300.0,
        ),
        _profile(
            "request_timeout_s",
            POSITIVE_NUMBER,
            "a request with no answer this long ends the predict phase",
            30.0,
        ),
        _profile(
            "grace_s",
            NON_NEGATIVE_NUMBER,
            "after the deadline: SIGTERM, this long, then SIGKILL",
            10.0,
        ),
        _profile(
            "memory_limit_mb",
            MEBIBYTES_OR_NONE,
            'unknown in the contest: memory of the whole process tree; "none" for no limit',
            16384,
        ),
        _profile(
            "disk_limit_mb",
            MEBIBYTES_OR_NONE,
            "unknown in the contest: what a phase may add to its writable folders (model, "
            "metrics, package copy, scratch); over it the phase stops as out_of_disk; also the "
            'size of its private /tmp; "none" for no limit',
            20480,
        ),
        _profile(
            "network", BOOLEAN, "whether the phases may reach the network (the contest: no)", False
        ),
        _profile("train_gpu", NON_NEGATIVE_WHOLE, "GPUs given to train (the contest: one)", 1),
        _profile(
            "predict_gpu",
            NON_NEGATIVE_WHOLE,
            "GPUs given to predict (the contest predicted on CPU: none)",
            0,
        ),
        _profile(
            "predict_cpus",
            COUNT_OR_ALL,
            'CPUs predict is pinned to, or "all"; unknown in the contest: its Flink job ran '
            "with parallelism 1 to 2",
            2,
        ),
        _profile(
            "gpu_memory_limit_mb",
            MEBIBYTES_OR_NONE,
            "unknown in the contest: GPU memory the phase's processes may hold (NVML, by "
            "process id); over it the phase stops as out_of_memory. Enforced only where NVML "
            "sees the phase's GPU; the report's enforcement notes say when it was not",
            "none",
        ),
        _profile(
            "holdout_fraction", FRACTION, "share of each class kept in the hold-out reserve", 0.1
        ),
        _profile("holdout_seed", NON_NEGATIVE_WHOLE, "seed fixing the hold-out reserve", 2019),
        _profile(
            "near_duplicate_bits",
            HASH_BITS,
            "a pool image whose 64-bit difference hash (dHash) is within this many bits of a "
            "reserve image's is a near-duplicate (a resized or re-encoded copy) and is left out "
            "of training; -1: exact bytes only",
            2,
        ),
        _profile(
            "when_short",
            choice_of("scale_down", "refuse"),
            'data smaller than asked: "scale_down" (with a warning) or "refuse"',
            "scale_down",
        ),
        _profile(
            "min_train_per_class",
            NON_NEGATIVE_WHOLE,
            "refuse when a class would get fewer training images",
            1,
        ),
        _profile(
            "min_test_images", NON_NEGATIVE_WHOLE, "refuse when fewer test images would remain", 5
        ),
    )
}


def settings_of(scope: Scope) -> tuple[Setting, ...]:
    """The settings of one scope, in table order."""
    return tuple(setting for setting in SETTINGS.values() if setting.scope is scope)


def check_setting(key: str, value: Any, source: str, scope: Scope | None = None) -> Any:
    """The checked value of setting `key`; a UserError listing the valid names when unknown."""
    valid = [s.name for s in SETTINGS.values() if scope is None or s.scope is scope]
    if key not in valid:
        raise UserError(
            f"{source}: unknown setting '{key}'.", hint=f"valid settings: {', '.join(valid)}"
        )
    return SETTINGS[key].check(value, source)
