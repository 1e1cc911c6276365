"""The predict phase with the process runner: the protocol, its limits, and every toy."""

from __future__ import annotations

import dataclasses
import json

import psutil
import pytest
from exec_support import FAST
from phase_support import CLASSES

from harness.phases import run_predict, run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits
from harness.runners.process.runner import ProcessRunner
from harness.settings.run_layout import RunLayout


def _trained(run_folder, runner, toy: str) -> None:
    outcome = run_train(runner, run_folder.train_spec(toy), 60, 1, run_folder.model_dir)
    assert outcome.status is Status.OK, outcome.log_tail


def test_constant_answers_everything_at_chance(run_folder, runner):
    _trained(run_folder, runner, "constant")
    outcome, answers = run_predict(
        runner, run_folder.predict_spec("constant"), run_folder.requests, CLASSES, FAST
    )
    assert outcome.status is Status.OK, outcome.reason
    assert [a.id for a in answers] == [r.id for r in run_folder.requests]
    assert {a.label for a in answers} == {"cardboard"}
    assert run_folder.accuracy(answers) == pytest.approx(1 / 3)
    assert outcome.details["answered"] == outcome.details["expected"] == 9
    assert 0 < outcome.details["setup_s"] < FAST.setup_s
    assert all(0 < a.latency_s < FAST.per_image_s for a in answers)


def test_centroid_learns_and_sends_scores(run_folder, runner):
    _trained(run_folder, runner, "centroid")
    outcome, answers = run_predict(
        runner, run_folder.predict_spec("centroid"), run_folder.requests, CLASSES, FAST
    )
    assert outcome.status is Status.OK, outcome.reason
    assert run_folder.accuracy(answers) >= 0.8
    assert set(answers[0].scores) == set(CLASSES)


def test_crash_midway_keeps_the_answers_so_far(run_folder, runner):
    _trained(run_folder, runner, "crash_midway")
    outcome, answers = run_predict(
        runner, run_folder.predict_spec("crash_midway"), run_folder.requests, CLASSES, FAST
    )
    assert outcome.status is Status.CRASHED
    assert outcome.reason == "Prediction exited with code 3 midway (3 of 9 images answered)."
    assert [a.id for a in answers] == [r.id for r in run_folder.requests[:3]]
    assert any("crashing after 3 answers" in line for line in outcome.log_tail)


def test_progress_is_reported_after_each_answer(run_folder, runner):
    _trained(run_folder, runner, "crash_midway")
    heard: list[tuple[int, int]] = []
    outcome, answers = run_predict(
        runner,
        run_folder.predict_spec("crash_midway"),
        run_folder.requests,
        CLASSES,
        FAST,
        on_answer=lambda done, total: heard.append((done, total)),
    )
    assert outcome.status is Status.CRASHED and len(answers) == 3
    assert heard == [(1, 9), (2, 9), (3, 9)]


def test_garbage_is_invalid_with_examples_of_each_kind(run_folder, runner):
    _trained(run_folder, runner, "garbage")
    outcome, answers = run_predict(
        runner, run_folder.predict_spec("garbage"), run_folder.requests, CLASSES, FAST
    )
    assert outcome.status is Status.INVALID_ANSWERS
    invalid = outcome.details["invalid"]
    assert outcome.details["invalid_count"] == 4
    assert invalid[0].startswith("unknown label 'no-such-class'")
    assert invalid[1].startswith("not a JSON object: 'this line is not JSON'")
    assert invalid[2].startswith("duplicate id 'img001x'")
    assert invalid[3].startswith("unknown id 'never-asked-for'")
    answered = {a.id for a in answers}
    assert answered == {r.id for r in run_folder.requests} - {"img000x", "img002x", "img003x"}
    assert any("not JSON: this line is not JSON" in line for line in outcome.log_tail)


def test_too_slow_per_image(run_folder, runner):
    _trained(run_folder, runner, "too_slow")
    limits = dataclasses.replace(FAST, per_image_s=0.1)
    spec = run_folder.predict_spec("too_slow", TOY_SLEEP_S="0.15")
    outcome, answers = run_predict(runner, spec, run_folder.requests[:3], CLASSES, limits)
    assert outcome.status is Status.TOO_SLOW
    assert outcome.reason.startswith("3 answers took longer than 100 ms")
    assert len(answers) == 3
    assert all(0.15 <= a.latency_s < 1.0 for a in answers)


def test_no_answer_within_the_request_timeout_stops_the_phase(run_folder, runner):
    limits = dataclasses.replace(FAST, request_timeout_s=0.5, grace_s=0.5)
    outcome, answers = run_predict(
        runner, run_folder.predict_spec("sleep_forever"), run_folder.requests, CLASSES, limits
    )
    assert outcome.status is Status.TOO_SLOW
    assert outcome.reason.startswith("No answer for image 'img000x' within 0.5 s")
    assert answers == []
    assert outcome.details["stalled_id"] == "img000x"


def test_slow_setup_is_not_ready_in_time(run_folder, runner):
    _trained(run_folder, runner, "slow_setup")
    limits = dataclasses.replace(FAST, setup_s=0.5, grace_s=0.5)
    outcome, answers = run_predict(
        runner, run_folder.predict_spec("slow_setup"), run_folder.requests, CLASSES, limits
    )
    assert outcome.status is Status.NOT_READY_IN_TIME
    assert "0.5 s setup limit" in outcome.reason
    assert answers == []
    assert outcome.wall_s < 5


def test_memory_hog_while_loading_is_out_of_memory(run_folder, runner):
    spec = run_folder.predict_spec("memory_hog", Limits(memory_bytes=150 * 2**20))
    outcome, answers = run_predict(runner, spec, run_folder.requests, CLASSES, FAST)
    assert outcome.status is Status.OUT_OF_MEMORY
    assert outcome.peak_memory_bytes > 150 * 2**20
    assert answers == []


def _earlier_run_key(run_folder) -> None:
    """An earlier run's answer key beside this run, with the same ids: the worst case."""
    earlier = RunLayout(run_folder.root.parent / "r0")
    earlier.root.mkdir()
    rows = "".join(f"{i},{label}\n" for i, label in run_folder.truth.items())
    earlier.answer_key.write_text("id,label\n" + rows, encoding="utf-8")


def _hunt(run_folder, runner, hidden: tuple) -> tuple:
    train = dataclasses.replace(run_folder.train_spec("reads_answer_key"), hidden=hidden)
    trained = run_train(runner, train, 60, 1, run_folder.model_dir)
    assert trained.status is Status.OK, trained.log_tail
    predict = dataclasses.replace(run_folder.predict_spec("reads_answer_key"), hidden=hidden)
    return run_predict(runner, predict, run_folder.requests, CLASSES, FAST)


def test_answer_key_stays_out_of_reach(run_folder, runner):
    _earlier_run_key(run_folder)
    outcome, answers = _hunt(run_folder, runner, run_folder.hidden)
    assert outcome.status is Status.OK
    # The hunt may find unrelated CSVs elsewhere on the machine; what matters is
    # that no label of this run's test ids reached it, in train or in predict.
    found = json.loads((run_folder.model_dir / "key.json").read_text(encoding="utf-8"))
    assert not set(found) & set(run_folder.truth)
    hunt_lines = [line for line in run_folder.train_log() + outcome.log_tail if "toy hunt:" in line]
    assert hunt_lines
    assert not any(str(run_folder.root.parent) in line for line in hunt_lines)
    assert run_folder.accuracy(answers) <= 1 / 3


def test_answer_key_toy_would_use_a_key_it_could_read(run_folder):
    """The control for the test above: the hunt works, so finding nothing means something.

    Without isolation: the sandbox's allow-list hides the key whatever `hidden` says.
    """
    _earlier_run_key(run_folder)
    outcome, answers = _hunt(run_folder, ProcessRunner(isolate=False), hidden=())
    # The whole log, not its tail: other runs' CSVs elsewhere on the machine may follow.
    log = run_folder.layout.log("predict").read_text(encoding="utf-8")
    assert f"found 9 labels in {run_folder.root.parent / 'r0' / 'answer_key.csv'}" in log
    assert run_folder.accuracy(answers) == 1.0


def test_no_process_outlives_the_phase(run_folder, runner):
    seen: list[int] = []
    limits = dataclasses.replace(FAST, request_timeout_s=0.3, grace_s=0.3)
    run_predict(
        runner,
        run_folder.predict_spec("sleep_forever"),
        run_folder.requests,
        CLASSES,
        limits,
        on_sample=lambda sample: seen.append(sample.memory_bytes),
    )
    assert seen and max(seen) > 0
    mine = psutil.Process().children(recursive=True)
    assert [p for p in mine if p.status() != psutil.STATUS_ZOMBIE] == []


FLOOD = """
import json, sys
print(json.dumps({"ready": True}), flush=True)
for number, line in enumerate(sys.stdin):
    if number == 0:
        print("junk\\n" * 250, end="", flush=True)
    print(json.dumps({"id": json.loads(line)["id"], "label": "glass"}), flush=True)
"""


def test_a_flood_of_stray_stdout_is_counted_but_logged_only_up_to_a_cap(run_folder, runner):
    spec = dataclasses.replace(run_folder.predict_spec("constant"), command=("python", "-c", FLOOD))
    outcome, answers = run_predict(runner, spec, run_folder.requests, CLASSES, FAST)
    assert outcome.status is Status.INVALID_ANSWERS
    assert outcome.details["invalid_count"] == 250
    assert len(answers) == 9
    logged = run_folder.layout.log("predict").read_text(encoding="utf-8").splitlines()
    assert sum("not JSON: junk" in line for line in logged) == 200
    assert logged[-1] == "[onlinesim] further stdout lines that are not JSON not logged"


DEADLINE_ECHO = """
import json, sys, time
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    left_ms = (request["deadline"] - time.time()) * 1000
    print(f"time left {left_ms:.1f} ms", file=sys.stderr, flush=True)
    print(json.dumps({"id": request["id"], "label": "cardboard"}), flush=True)
"""


def test_each_request_carries_its_deadline(run_folder, runner):
    """The deadline is a UNIX time within the per-image limit; a predictor can plan with it."""
    spec = dataclasses.replace(
        run_folder.predict_spec("constant"), command=("python", "-c", DEADLINE_ECHO)
    )
    outcome, _ = run_predict(runner, spec, run_folder.requests, CLASSES, FAST)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    lines = run_folder.layout.log("predict").read_text(encoding="utf-8")
    left = [float(line.split()[2]) for line in lines.splitlines() if "time left" in line]
    assert len(left) == len(run_folder.requests)
    assert all(0 < ms <= FAST.per_image_s * 1000 for ms in left)
