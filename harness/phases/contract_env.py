"""The contract's variables and mounts for each phase (docs/contract.md), written once.

simulate, the submission tests and the reference bench all start phases; they
take their variables and mounts from here so the three cannot drift apart.
ONLINESIM_BUDGET_SECONDS and ONLINESIM_DEADLINE are not here: `run_train` sets
them at launch, so the deadline the submission reads is the one it enforces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.phases.predict import PredictLimits
from harness.runners.base import Limits, Mount, PhaseSpec


@dataclass(frozen=True)
class RunFolders:
    """The host folders one run hands its phases."""

    train_dir: Path  # class folders, read-only to train
    test_dir: Path  # test images under opaque names, read-only to predict
    model_dir: Path  # written by train, read by predict
    metrics_path: Path  # train's optional metrics file; its folder is writable


@dataclass(frozen=True)
class PhaseVariables:
    """A phase's variables and the host paths it may see."""

    phase: str
    env: dict[str, str]
    mounts: tuple[Mount, ...]

    def spec(
        self,
        command: tuple[str, ...],
        workdir: Path,
        limits: Limits,
        log_path: Path,
        hidden: tuple[Path, ...] = (),
    ) -> PhaseSpec:
        """`command` run in `workdir` with these variables; predict talks over stdin."""
        return PhaseSpec(
            phase=self.phase,
            command=command,
            workdir=workdir,
            env=self.env,
            mounts=self.mounts,
            limits=limits,
            log_path=log_path,
            interactive=self.phase == "predict",
            hidden=hidden,
        )


def make_scratch(folder: Path) -> Path:
    """Create a phase's TMPDIR and HOME in `folder`; runners let the phase write both."""
    (folder / "tmp").mkdir(parents=True)
    (folder / "home").mkdir(parents=True)
    return folder


def _with_package_env(
    package_env: Mapping[str, str] | None, phase: str, profile: str, scratch: Path, contract: dict
) -> dict[str, str]:
    """The package's own variables under the harness's: a contract name is never overridden."""
    return {
        **(package_env or {}),
        "ONLINESIM_PHASE": phase,
        "ONLINESIM_PROFILE": profile,
        "TMPDIR": str(scratch / "tmp"),
        "HOME": str(scratch / "home"),
        **contract,
    }


def train_variables(
    folders: RunFolders,
    profile: str,
    scratch: Path,
    package_env: Mapping[str, str] | None = None,
) -> PhaseVariables:
    """Train reads the class folders and writes only the model and metrics folders.

    `scratch` is a folder made by `make_scratch`; `package_env` is what the
    package asked for (the manifest's `[train].env`).
    """
    contract = {
        "IMAGE_TRAIN_INPUT_PATH": str(folders.train_dir),
        "MODEL_INFERENCE_PATH": str(folders.model_dir),
        "ONLINESIM_METRICS_PATH": str(folders.metrics_path),
    }
    mounts = (
        Mount(folders.train_dir),
        Mount(folders.model_dir, writable=True),
        Mount(folders.metrics_path.parent, writable=True),
    )
    return PhaseVariables(
        "train", _with_package_env(package_env, "train", profile, scratch, contract), mounts
    )


def predict_variables(
    folders: RunFolders,
    profile: str,
    scratch: Path,
    limits: PredictLimits,
    package_env: Mapping[str, str] | None = None,
) -> PhaseVariables:
    """Predict reads the model and the test images and writes nothing but its scratch.

    The limits it is told are the `limits` `run_predict` enforces.
    """
    contract = {
        "MODEL_INFERENCE_PATH": str(folders.model_dir),
        "IMAGE_MODEL_PACKAGE_PATH": str(folders.model_dir),
        "IMAGE_INPUT_PATH": str(folders.test_dir),
        "ONLINESIM_PER_IMAGE_MS": f"{limits.per_image_s * 1000:.3f}",
        "ONLINESIM_SETUP_SECONDS": f"{limits.setup_s:.3f}",
    }
    mounts = (Mount(folders.model_dir), Mount(folders.test_dir))
    return PhaseVariables(
        "predict", _with_package_env(package_env, "predict", profile, scratch, contract), mounts
    )
