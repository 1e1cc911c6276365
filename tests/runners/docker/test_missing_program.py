"""A command whose program does not exist is `crashed`, and the reason says it was not found,
under both runners: a name on no PATH, and a path missing from the package."""

from __future__ import annotations

import dataclasses

import pytest
from docker_support import FAST
from phase_support import CLASSES, make_run_folder

from harness.phases import run_predict, run_train
from harness.phases.outcome import Status

pytestmark = pytest.mark.docker

RUNNERS = ("process", "docker")


@pytest.mark.parametrize("program", ["nonexistent-tool", "./bin/nonexistent-tool"])
@pytest.mark.parametrize("runner_name", RUNNERS)
def test_a_missing_program_is_named_as_not_found(
    runner_name, program, tmp_path, process_runner, docker_runner
):
    runner = {"process": process_runner, "docker": docker_runner}[runner_name]
    folder = make_run_folder(tmp_path)
    spec = dataclasses.replace(folder.train_spec("constant"), command=(program, "--epochs", "1"))
    outcome = run_train(runner, spec, 30.0, 0.5, folder.model_dir)
    assert outcome.status is Status.CRASHED
    assert f"'{program}' was not found" in outcome.reason, outcome.reason


@pytest.mark.parametrize("runner_name", RUNNERS)
def test_a_missing_predict_program_is_named_as_not_found(
    runner_name, tmp_path, process_runner, docker_runner
):
    runner = {"process": process_runner, "docker": docker_runner}[runner_name]
    folder = make_run_folder(tmp_path)
    spec = dataclasses.replace(folder.predict_spec("constant"), command=("nonexistent-tool",))
    outcome, answers = run_predict(runner, spec, folder.requests, CLASSES, FAST)
    assert outcome.status is Status.CRASHED
    assert "'nonexistent-tool' was not found" in outcome.reason, outcome.reason
    assert answers == []
