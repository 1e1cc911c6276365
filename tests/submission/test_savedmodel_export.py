"""The reference submission as a 2019 contest package: its ensemble exported as one
SavedModel with serve settings, then served by the harness's OpenVINO program."""

from __future__ import annotations

import dataclasses
import sys

from submission_run import CLASSES, PREDICT_LIMITS, SUBMISSION, TINY, Run

from harness.package.serve_settings import parse_serve
from harness.phases import run_predict, run_train
from harness.phases.contract_env import predict_variables
from harness.phases.outcome import Status
from harness.phases.served import FAILURES, served_command, served_mount
from harness.runners.base import Limits

sys.path.insert(0, str(SUBMISSION))
from garbage.savedmodel import class_index_text, serve_settings  # noqa: E402

TWO_SIZES = {
    "members": [
        {"input_size": 224, "preprocessing": {"mean": [127.0] * 3, "scale": 128.0, "bgr": False}},
        {"input_size": 260, "preprocessing": {"mean": [127.0] * 3, "scale": 128.0, "bgr": False}},
    ]
}


def test_the_serve_settings_take_raw_pixels_at_the_largest_members_size():
    assert serve_settings(TWO_SIZES) == {
        "input_size": 260,
        "mean": 0.0,
        "scale": 1.0,
        "reverse_channels": False,
    }
    assert class_index_text(["纸箱", "glass"]) == "纸箱 0\nglass 1\n"


def test_the_exported_savedmodel_is_served_like_a_contest_package(tmp_path, runner):
    run = Run(tmp_path, TINY)
    train = dataclasses.replace(run.spec("train"), command=("python", "contest_train.py"))
    outcome = run_train(runner, train, 180.0, 5.0, run.model_dir)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert (run.model_dir / "SavedModel" / "saved_model.pb").is_file()
    index = (run.model_dir / "class_index.txt").read_text(encoding="utf-8")
    assert index == class_index_text(sorted(CLASSES))

    settings = parse_serve({"serve": "savedmodel", **serve_settings(run.metadata())}, "test")
    variables = predict_variables(run.folders, "test", run.scratch, PREDICT_LIMITS)
    variables = dataclasses.replace(variables, mounts=(*variables.mounts, served_mount()))
    spec = variables.spec(
        served_command(settings, CLASSES), run.package, Limits(), run.log_path("predict")
    )
    requests = run.requests()
    outcome, answers = run_predict(
        runner, spec, requests, CLASSES, PREDICT_LIMITS, failures=FAILURES
    )
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert len(answers) == len(requests)
    truth = {r.id: r.path.parent.name for r in requests}
    correct = sum(answer.label == truth[answer.id] for answer in answers)
    assert correct / len(answers) > 1 / len(CLASSES)  # learned something, through OpenVINO
