"""The predict phase: stream the test images one at a time and time every answer.

The platform ran prediction with a parallelism of 1 and a limit per image, so
the harness sends one request, waits for its answer, and only then sends the
next. Each request is timed with `time.perf_counter` from just before its
line is written until its answer line is read.

Each request carries its deadline (UNIX time: sent + the per-image limit), so
a predictor can plan a time-aware cascade as one 2019 team did.

A program the harness owns (the served SavedModel, `phases.served`) may end
its setup with `{"failure": <status>, "reason": ...}` for the statuses it is
allowed; a team's program cannot choose its status that way.

Running (`run_predict`) is kept apart from judging: `judge_reply` checks one
answer and `classify_predict` turns what the stream saw into a status, both
pure and tested without a process.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.phases.clock import Deadline
from harness.phases.logs import INTERRUPTED_GRACE_S, append_to_log, log_tail, not_started
from harness.phases.outcome import PhaseOutcome, Status
from harness.phases.train import memory_words
from harness.runners.base import ExitInfo, PhaseSpec, Runner, RunningPhase, SampleCallback
from harness.runners.output import LineTooLong
from harness.runners.program import ProgramNotFound

AnswerCallback = Callable[[int, int], None]

INVALID_EXAMPLES = 10
LOGGED_STRAY_LINES = 200
_SHOWN_CHARS = 200


@dataclass(frozen=True)
class PredictRequest:
    """One test image, under its opaque id."""

    id: str
    path: Path


@dataclass
class Answer:
    """A valid answer and how long it took."""

    id: str
    label: str
    latency_s: float
    scores: dict[str, float] | None = None


@dataclass(frozen=True)
class PredictLimits:
    """setup_s: until ready; per_image_s: the contest's limit; request_timeout_s: give up."""

    setup_s: float
    per_image_s: float
    request_timeout_s: float
    grace_s: float


@dataclass
class StreamResult:
    """What the stream of requests saw, before any verdict."""

    expected: int
    ready: bool = False
    setup_s: float | None = None
    answers: list[Answer] = field(default_factory=list)
    invalid_count: int = 0
    invalid_examples: list[str] = field(default_factory=list)
    slow_count: int = 0
    slowest_s: float = 0.0
    stalled_id: str | None = None
    ended_early: bool = False
    line_too_long: int | None = None  # the limit an over-long stdout line passed
    failure: tuple[Status, str] | None = None  # reported by a harness-owned program

    def invalid(self, problem: str) -> None:
        self.invalid_count += 1
        if len(self.invalid_examples) < INVALID_EXAMPLES:
            self.invalid_examples.append(problem)


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."


def judge_reply(
    reply: dict, pending_id: str, answered: Collection[str], labels: Collection[str]
) -> str | None:
    """What is wrong with one answer to the request `pending_id`, or None if nothing."""
    reply_id = reply.get("id")
    if reply_id != pending_id:
        if reply_id in answered:
            return f"duplicate id {_shown(reply_id)} (expected {pending_id!r})"
        return f"unknown id {_shown(reply_id)} (expected {pending_id!r})"
    label = reply.get("label")
    if not isinstance(label, str):
        return f"answer for {pending_id!r} has no label: {_shown(reply)}"
    if label not in labels:
        return f"unknown label {_shown(label)} for {pending_id!r}"
    scores = reply.get("scores")
    if scores is not None and not (
        isinstance(scores, dict)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in scores.values())
    ):
        return f"scores for {pending_id!r} are not an object of numbers: {_shown(scores)}"
    return None


def _exit_words(info: ExitInfo) -> str:
    if info.signal is not None:
        return f"was killed by signal {info.signal}"
    return f"exited with code {info.exit_code}"


def classify_predict(
    result: StreamResult,
    info: ExitInfo,
    limits: PredictLimits,
    memory_limit_bytes: int | None,
    gpu_memory_limit_bytes: int | None = None,
) -> tuple[Status, str]:
    """Status and one-sentence reason for a finished predict phase."""
    answered = len(result.answers)
    progress = f"{answered} of {result.expected} images answered"
    if info.disk_limit_exceeded:
        return Status.OUT_OF_DISK, f"Prediction wrote more than its disk limit ({progress})."
    if result.line_too_long is not None:
        return Status.INVALID_ANSWERS, (
            f"A line on stdout was longer than {result.line_too_long} bytes, so the phase "
            f"was stopped ({progress})."
        )
    if result.failure is not None:
        return result.failure
    if info.killed_for_memory:
        words = memory_words(info, memory_limit_bytes, gpu_memory_limit_bytes)
        return Status.OUT_OF_MEMORY, f"Prediction {words}, and was stopped ({progress})."
    if not result.ready:
        if info.missing_program is not None:
            program = ProgramNotFound(info.missing_program)
            return Status.CRASHED, f"Prediction could not start: {program}."
        if result.ended_early:
            return Status.CRASHED, f"Prediction {_exit_words(info)} before it was ready."
        return Status.NOT_READY_IN_TIME, (
            f'Prediction did not print {{"ready": true}} within the {limits.setup_s:g} s '
            "setup limit."
        )
    if result.ended_early:
        return Status.CRASHED, f"Prediction {_exit_words(info)} midway ({progress})."
    if result.stalled_id is not None:
        return Status.TOO_SLOW, (
            f"No answer for image {result.stalled_id!r} within {limits.request_timeout_s:g} s, "
            f"so the phase was stopped ({progress})."
        )
    if result.slow_count:
        return Status.TOO_SLOW, (
            f"{result.slow_count} answers took longer than {limits.per_image_s * 1000:.0f} ms "
            f"(slowest {result.slowest_s * 1000:.0f} ms)."
        )
    if result.invalid_count:
        return Status.INVALID_ANSWERS, (
            f"{result.invalid_count} lines on stdout broke the protocol, "
            f"first: {result.invalid_examples[0]}."
        )
    if info.exit_code != 0:
        return Status.CRASHED, f"Prediction answered everything but then {_exit_words(info)}."
    return Status.OK, (
        f"All {result.expected} images answered within {limits.per_image_s * 1000:.0f} ms each."
    )


class _Stream:
    """The protocol conversation with one running predict program."""

    def __init__(
        self,
        phase: RunningPhase,
        log_path: Path,
        labels: Collection[str],
        expected: int,
        on_answer: AnswerCallback | None = None,
        failures: Collection[Status] = (),
    ) -> None:
        self.phase = phase
        self.failures = {status.value: status for status in failures}
        self.log_path = log_path
        self.labels = labels
        self.on_answer = on_answer
        self.result = StreamResult(expected=expected)
        self._answered: set[str] = set()
        self._stray = 0

    def _next_object(self, deadline: Deadline) -> dict | None:
        """Next JSON object on stdout before the deadline; other lines are logged as invalid."""
        while True:
            line = self.phase.read_line(deadline.remaining())
            if line is None:
                return None
            try:
                parsed = json.loads(line)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
            self.result.invalid(f"not a JSON object: {_shown(line)}")
            self._log_stray(line)

    def _log_stray(self, line: str) -> None:
        """Stray stdout goes to the log, up to a cap, so a flood cannot fill the disk."""
        self._stray += 1
        if self._stray <= LOGGED_STRAY_LINES:
            append_to_log(self.log_path, f"[onlinesim] stdout line that is not JSON: {line}")
        elif self._stray == LOGGED_STRAY_LINES + 1:
            append_to_log(
                self.log_path, "[onlinesim] further stdout lines that are not JSON not logged"
            )

    def await_ready(self, setup_s: float, started: float) -> None:
        deadline = Deadline.after(setup_s)
        while (message := self._next_object(deadline)) is not None:
            if message.get("ready") is True:
                self.result.ready = True
                self.result.setup_s = time.perf_counter() - started
                return
            status = self.failures.get(message.get("failure"))
            if status is not None:
                self.result.failure = (status, str(message.get("reason", "")))
                return
            self.result.invalid(f"expected the ready line, got {_shown(message)}")

    def ask(self, request: PredictRequest, limits: PredictLimits) -> bool:
        """One request and its answer; False when the stream cannot go on."""
        sent = time.perf_counter()
        deadline = time.time() + limits.per_image_s
        line = json.dumps(
            {"id": request.id, "path": str(request.path), "deadline": round(deadline, 6)},
            ensure_ascii=False,
        )
        self.phase.send_line(line)
        reply = self._next_object(Deadline.after(limits.request_timeout_s))
        latency = time.perf_counter() - sent
        if reply is None:
            self.result.stalled_id = request.id
            return False
        problem = judge_reply(reply, request.id, self._answered, self.labels)
        if problem is not None:
            self.result.invalid(problem)
            return True
        if latency > limits.per_image_s:
            self.result.slow_count += 1
        self.result.slowest_s = max(self.result.slowest_s, latency)
        self._answered.add(request.id)
        self.result.answers.append(Answer(request.id, reply["label"], latency, reply.get("scores")))
        if self.on_answer is not None:
            self.on_answer(len(self.result.answers), self.result.expected)
        return True

    def run(self, requests: Sequence[PredictRequest], limits: PredictLimits, started: float):
        try:
            self.await_ready(limits.setup_s, started)
            if not self.result.ready:
                return
            for request in requests:
                if not self.ask(request, limits):
                    return
            self.phase.close_stdin()
        except (EOFError, BrokenPipeError):
            self.result.ended_early = True
        except LineTooLong as error:
            self.result.line_too_long = error.limit_bytes


def run_predict(
    runner: Runner,
    spec: PhaseSpec,
    requests: Sequence[PredictRequest],
    labels: Collection[str],
    limits: PredictLimits,
    on_sample: SampleCallback | None = None,
    on_answer: AnswerCallback | None = None,
    failures: Collection[Status] = (),
) -> tuple[PhaseOutcome, list[Answer]]:
    """Stream every request through the predict program; the answers given are always kept.

    `on_answer(done, total)` is called after each valid answer, from this thread,
    so a three-hour predict shows its progress while it runs, not at the end.
    `failures`: the statuses a harness-owned program may report before it is ready.
    """
    spec = dataclasses.replace(spec, interactive=True)
    started = time.perf_counter()
    try:
        phase = runner.launch(spec, on_sample)
    except OSError as error:
        return not_started("predict", spec, error), []
    stream = _Stream(phase, spec.log_path, frozenset(labels), len(requests), on_answer, failures)
    try:
        stream.run(requests, limits, started)
    except BaseException:  # Ctrl-C or a harness bug: the phase must not run on unattended
        phase.stop(min(limits.grace_s, INTERRUPTED_GRACE_S))
        raise
    finished_cleanly = (
        stream.result.ready
        and stream.result.stalled_id is None
        and stream.result.line_too_long is None
    )
    info = (phase.wait(limits.grace_s) if finished_cleanly else None) or phase.stop(limits.grace_s)
    result = stream.result
    status, reason = classify_predict(
        result, info, limits, spec.limits.memory_bytes, spec.limits.gpu_memory_bytes
    )
    outcome = PhaseOutcome(
        phase="predict",
        status=status,
        reason=reason,
        wall_s=time.perf_counter() - started,
        limit_s=None,  # no single limit for the phase: its limits are in details
        exit_code=info.exit_code,
        peak_memory_bytes=info.peak_memory_bytes,
        peak_working_set_bytes=info.peak_working_set_bytes,
        memory_limit_bytes=spec.limits.memory_bytes,
        peak_gpu_memory_bytes=info.peak_gpu_memory_bytes,
        gpu_memory_limit_bytes=spec.limits.gpu_memory_bytes,
        log_path=str(spec.log_path),
        log_tail=log_tail(spec.log_path),
        details={
            "setup_limit_s": limits.setup_s,
            "per_image_limit_s": limits.per_image_s,
            "request_timeout_s": limits.request_timeout_s,
            "setup_s": result.setup_s,
            "answered": len(result.answers),
            "expected": result.expected,
            "invalid_count": result.invalid_count,
            "invalid": list(result.invalid_examples),
            "slow_count": result.slow_count,
            "slowest_s": result.slowest_s,
            "stalled_id": result.stalled_id,
            "signal": info.signal,
            "log_cut": info.log_cut,
            "sample_error": info.sample_error,
        },
    )
    return outcome, result.answers
