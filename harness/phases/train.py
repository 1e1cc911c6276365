"""The train phase: run the submission's train command under the budget, then judge it.

Running (launch, wait until the deadline, stop) is kept apart from judging
(`classify_train`, a pure function of how the program ended), so every
status rule is tested without a process.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from harness.phases.clock import Deadline, unix_deadline
from harness.phases.logs import INTERRUPTED_GRACE_S, log_tail, not_started
from harness.phases.outcome import PhaseOutcome, Status
from harness.runners.base import ExitInfo, Limits, PhaseSpec, Runner, SampleCallback
from harness.runners.program import ProgramNotFound


def model_exported(model_dir: Path) -> bool:
    """The contract's test: MODEL_INFERENCE_PATH holds at least one file."""
    return model_dir.is_dir() and any(p.is_file() for p in model_dir.rglob("*"))


def _mib(value: int | None) -> str:
    return "?" if value is None else f"{value / 2**20:.0f} MiB"


def memory_words(
    info: ExitInfo, memory_limit_bytes: int | None, gpu_memory_limit_bytes: int | None
) -> str:
    """'used X, over the (GPU) memory limit of Y': which limit a memory kill was for."""
    if info.gpu_memory_exceeded:
        return (
            f"held {_mib(info.peak_gpu_memory_bytes)} of GPU memory, over the GPU memory "
            f"limit of {_mib(gpu_memory_limit_bytes)}"
        )
    return (
        f"used {_mib(info.peak_memory_bytes)}, over the memory limit of {_mib(memory_limit_bytes)}"
    )


def classify_train(
    info: ExitInfo,
    timed_out: bool,
    exported: bool,
    budget_s: float,
    memory_limit_bytes: int | None,
    gpu_memory_limit_bytes: int | None = None,
) -> tuple[Status, str]:
    """Status and one-sentence reason for a finished train phase."""
    if info.disk_limit_exceeded:
        return Status.OUT_OF_DISK, "Training wrote more than its disk limit, and was stopped."
    if info.killed_for_memory:
        words = memory_words(info, memory_limit_bytes, gpu_memory_limit_bytes)
        return Status.OUT_OF_MEMORY, f"Training {words}, and was stopped."
    if timed_out:
        return Status.TIMEOUT, (
            f"Training was still running at the end of its {budget_s:g} s budget and was stopped."
        )
    if info.signal is not None:
        return Status.CRASHED, f"Training was killed by signal {info.signal}."
    if info.missing_program is not None:
        return Status.CRASHED, f"Training could not start: {ProgramNotFound(info.missing_program)}."
    if info.exit_code != 0:
        return Status.CRASHED, f"Training exited with code {info.exit_code}."
    if not exported:
        return Status.NO_MODEL_EXPORTED, (
            "Training exited 0 but wrote nothing to MODEL_INFERENCE_PATH."
        )
    return Status.OK, "Training finished within its budget and exported a model."


def limit_variables(limits: Limits) -> dict[str, str]:
    """ONLINESIM_MEMORY_BYTES and ONLINESIM_GPU_MEMORY_BYTES, for the limits that are set."""
    named = {
        "ONLINESIM_MEMORY_BYTES": limits.memory_bytes,
        "ONLINESIM_GPU_MEMORY_BYTES": limits.gpu_memory_bytes,
    }
    return {name: str(int(value)) for name, value in named.items() if value is not None}


def run_train(
    runner: Runner,
    spec: PhaseSpec,
    budget_s: float,
    grace_s: float,
    model_dir: Path,
    on_sample: SampleCallback | None = None,
) -> PhaseOutcome:
    """Run training until it ends or the budget does; the outcome says which and why.

    ONLINESIM_BUDGET_SECONDS and ONLINESIM_DEADLINE are set here, at launch,
    so the submission's deadline is the one this function enforces; so are the
    memory limits the runner enforces, for a submission that plans against them.
    """
    env = {
        **spec.env,
        "ONLINESIM_BUDGET_SECONDS": f"{budget_s:.3f}",
        "ONLINESIM_DEADLINE": f"{unix_deadline(budget_s, time.time()):.3f}",
        **limit_variables(spec.limits),
    }
    spec = dataclasses.replace(spec, env=env, interactive=False)
    started = time.monotonic()
    deadline = Deadline.after(budget_s)
    try:
        phase = runner.launch(spec, on_sample)
    except OSError as error:
        return not_started("train", spec, error)
    try:
        info = phase.wait(deadline.remaining())
    except BaseException:  # Ctrl-C or a harness bug: the phase must not run on unattended
        phase.stop(min(grace_s, INTERRUPTED_GRACE_S))
        raise
    timed_out = info is None
    if info is None:
        info = phase.stop(grace_s)
    wall_s = time.monotonic() - started
    memory_limit = spec.limits.memory_bytes
    status, reason = classify_train(
        info,
        timed_out,
        model_exported(model_dir),
        budget_s,
        memory_limit,
        spec.limits.gpu_memory_bytes,
    )
    return PhaseOutcome(
        phase="train",
        status=status,
        reason=reason,
        wall_s=wall_s,
        limit_s=budget_s,
        exit_code=info.exit_code,
        peak_memory_bytes=info.peak_memory_bytes,
        peak_working_set_bytes=info.peak_working_set_bytes,
        memory_limit_bytes=memory_limit,
        peak_gpu_memory_bytes=info.peak_gpu_memory_bytes,
        gpu_memory_limit_bytes=spec.limits.gpu_memory_bytes,
        log_path=str(spec.log_path),
        log_tail=log_tail(spec.log_path),
        details={
            "signal": info.signal,
            "stopped_by_harness": info.stopped_by_harness,
            "log_cut": info.log_cut,
            "sample_error": info.sample_error,
        },
    )
