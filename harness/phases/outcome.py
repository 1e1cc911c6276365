"""How a phase ended: one status enumeration shared by every runner and report."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Status(enum.StrEnum):
    """Outcome of one phase. The value is what report.json carries."""

    OK = "ok"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    CRASHED = "crashed"
    NO_MODEL_EXPORTED = "no_model_exported"
    NOT_READY_IN_TIME = "not_ready_in_time"
    TOO_SLOW = "too_slow"
    INVALID_ANSWERS = "invalid_answers"
    OUT_OF_DISK = "out_of_disk"
    NO_SAVEDMODEL = "no_savedmodel"
    MODEL_UNREADABLE = "model_unreadable"
    INPUT_SIZE_MISMATCH = "input_size_mismatch"
    LABELS_MISMATCH = "labels_mismatch"
    SERVE_SETTINGS_INVALID = "serve_settings_invalid"
    NOT_RUN = "not_run"
    INTERRUPTED = "interrupted"
    HARNESS_ERROR = "harness_error"


@dataclass
class PhaseOutcome:
    """What one phase produced, independent of the runner that ran it."""

    phase: str
    status: Status
    reason: str
    wall_s: float = 0.0
    limit_s: float | None = None
    exit_code: int | None = None
    peak_memory_bytes: int | None = None
    peak_working_set_bytes: int | None = None
    memory_limit_bytes: int | None = None
    peak_gpu_memory_bytes: int | None = None
    gpu_memory_limit_bytes: int | None = None
    log_path: str | None = None
    log_tail: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "phase": self.phase,
            "status": self.status.value,
            "reason": self.reason,
            "wall_s": round(self.wall_s, 3),
            "limit_s": self.limit_s,
            "exit_code": self.exit_code,
            "peak_memory_bytes": self.peak_memory_bytes,
            "peak_working_set_bytes": self.peak_working_set_bytes,
            "memory_limit_bytes": self.memory_limit_bytes,
            "peak_gpu_memory_bytes": self.peak_gpu_memory_bytes,
            "gpu_memory_limit_bytes": self.gpu_memory_limit_bytes,
            "log_path": self.log_path,
            "log_tail": list(self.log_tail),
            "details": dict(self.details),
        }
