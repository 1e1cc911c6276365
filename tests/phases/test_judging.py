"""The pure parts: deadline arithmetic on a fake clock, and the status rules of both phases."""

from __future__ import annotations

import pytest

from harness.phases.clock import Deadline, unix_deadline
from harness.phases.outcome import Status
from harness.phases.predict import (
    Answer,
    PredictLimits,
    StreamResult,
    classify_predict,
    judge_reply,
)
from harness.phases.train import classify_train
from harness.runners.base import ExitInfo

LIMITS = PredictLimits(setup_s=60, per_image_s=0.5, request_timeout_s=10, grace_s=5)
EXITED_0 = ExitInfo(exit_code=0)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_deadline_counts_down_on_its_clock_and_never_goes_negative():
    clock = FakeClock()
    deadline = Deadline.after(10, clock)
    assert deadline.remaining() == 10
    clock.now += 7.5
    assert deadline.remaining() == 2.5
    clock.now += 3
    assert deadline.remaining() == 0.0


def test_unix_deadline_is_the_wall_time_plus_the_budget():
    assert unix_deadline(10800, 1_700_000_000.0) == 1_700_010_800.0


@pytest.mark.parametrize(
    ("info", "timed_out", "exported", "status", "words"),
    [
        (
            ExitInfo(None, 9, killed_for_memory=True, peak_memory_bytes=600 * 2**20),
            False,
            False,
            Status.OUT_OF_MEMORY,
            "used 600 MiB, over the memory limit of 512 MiB",
        ),
        (ExitInfo(None, 9, stopped_by_harness=True), True, True, Status.TIMEOUT, "60 s budget"),
        (ExitInfo(None, 11), False, True, Status.CRASHED, "killed by signal 11"),
        (ExitInfo(2), False, True, Status.CRASHED, "exited with code 2"),
        (EXITED_0, False, False, Status.NO_MODEL_EXPORTED, "wrote nothing"),
        (EXITED_0, False, True, Status.OK, "exported a model"),
    ],
)
def test_classify_train(info, timed_out, exported, status, words):
    got, reason = classify_train(info, timed_out, exported, 60, 512 * 2**20)
    assert got is status
    assert words in reason


def test_memory_beats_timeout_when_both_happened():
    info = ExitInfo(None, 9, killed_for_memory=True, stopped_by_harness=True)
    assert classify_train(info, True, True, 60, 2**30)[0] is Status.OUT_OF_MEMORY


LABELS = {"cardboard", "纸箱"}


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ({"id": "a", "label": "纸箱"}, None),
        ({"id": "a", "label": "纸箱", "scores": {"纸箱": 0.9, "cardboard": 0.1}}, None),
        ({"id": "b", "label": "纸箱"}, "duplicate id 'b'"),
        ({"id": "z", "label": "纸箱"}, "unknown id 'z'"),
        ({"id": "a"}, "has no label"),
        ({"id": "a", "label": "glass"}, "unknown label 'glass'"),
        ({"id": "a", "label": "纸箱", "scores": [0.9]}, "not an object of numbers"),
        ({"id": "a", "label": "纸箱", "scores": {"纸箱": True}}, "not an object of numbers"),
    ],
)
def test_judge_reply(reply, problem):
    got = judge_reply(reply, "a", answered={"b"}, labels=LABELS)
    assert got == problem if problem is None else problem in got


def _stream(**fields) -> StreamResult:
    result = StreamResult(expected=4, ready=True, setup_s=1.0)
    for name, value in fields.items():
        setattr(result, name, value)
    return result


def _answers(n: int) -> list[Answer]:
    return [Answer(f"id{i}", "纸箱", 0.01) for i in range(n)]


@pytest.mark.parametrize(
    ("result", "info", "status", "words"),
    [
        (
            _stream(answers=_answers(1)),
            ExitInfo(None, 9, killed_for_memory=True),
            Status.OUT_OF_MEMORY,
            "1 of 4 images answered",
        ),
        (
            _stream(ready=False),
            ExitInfo(None, 9, stopped_by_harness=True),
            Status.NOT_READY_IN_TIME,
            "60 s setup limit",
        ),
        (
            _stream(ready=False, ended_early=True),
            ExitInfo(1),
            Status.CRASHED,
            "exited with code 1 before it was ready",
        ),
        (
            _stream(answers=_answers(2), ended_early=True),
            ExitInfo(3),
            Status.CRASHED,
            "midway (2 of 4 images answered)",
        ),
        (
            _stream(answers=_answers(1), stalled_id="id1"),
            ExitInfo(None, 15),
            Status.TOO_SLOW,
            "No answer for image 'id1' within 10 s",
        ),
        (
            _stream(answers=_answers(4), slow_count=2, slowest_s=0.75),
            EXITED_0,
            Status.TOO_SLOW,
            "2 answers took longer than 500 ms (slowest 750 ms)",
        ),
        (
            _stream(answers=_answers(3), invalid_count=1, invalid_examples=["unknown id 'x'"]),
            EXITED_0,
            Status.INVALID_ANSWERS,
            "first: unknown id 'x'",
        ),
        (
            _stream(answers=_answers(4)),
            ExitInfo(1),
            Status.CRASHED,
            "answered everything but then exited with code 1",
        ),
        (_stream(answers=_answers(4)), EXITED_0, Status.OK, "All 4 images answered"),
    ],
)
def test_classify_predict(result, info, status, words):
    got, reason = classify_predict(result, info, LIMITS, 2**30)
    assert got is status
    assert words in reason


def test_invalid_examples_are_capped_but_all_counted():
    result = StreamResult(expected=100)
    for number in range(50):
        result.invalid(f"problem {number}")
    assert result.invalid_count == 50
    assert len(result.invalid_examples) == 10


def test_a_gpu_memory_kill_names_the_gpu_limit_in_both_phases():
    info = ExitInfo(
        None,
        9,
        killed_for_memory=True,
        peak_memory_bytes=300 * 2**20,
        gpu_memory_exceeded=True,
        peak_gpu_memory_bytes=5 * 2**30,
    )
    status, reason = classify_train(info, False, False, 60, 2**30, 4 * 2**30)
    assert status is Status.OUT_OF_MEMORY
    assert reason == (
        "Training held 5120 MiB of GPU memory, over the GPU memory limit of 4096 MiB, "
        "and was stopped."
    )
    result = StreamResult(expected=10, ready=True)
    status, reason = classify_predict(result, info, LIMITS, 2**30, 4 * 2**30)
    assert status is Status.OUT_OF_MEMORY
    assert reason.startswith("Prediction held 5120 MiB of GPU memory, over the GPU memory limit")
    assert reason.endswith("(0 of 10 images answered).")


def test_a_program_not_found_is_named_in_both_phases():
    info = ExitInfo(127, missing_program="nonexistent-tool")
    status, reason = classify_train(info, False, False, 60, None)
    assert status is Status.CRASHED and "'nonexistent-tool' was not found" in reason
    result = StreamResult(expected=4, ended_early=True)
    status, reason = classify_predict(result, info, LIMITS, None)
    assert status is Status.CRASHED and "'nonexistent-tool' was not found" in reason
