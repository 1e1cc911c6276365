"""Hostile output gets the same status under both runners, in bounded harness memory.

The toy (tests/toys/hostile/output_and_disk) floods its log, writes a line
without end or closes stdout; each act runs under the process runner and the
docker runner. Filling the disk is one of tests/hostile_support.py's cases.
"""

from __future__ import annotations

import pytest
from docker_support import FAST
from phase_support import CLASSES, make_run_folder

from harness.phases import run_predict, run_train
from harness.phases.outcome import Status
from harness.runners.output import LOG_LIMIT_BYTES

pytestmark = pytest.mark.docker

TOY = "hostile/output_and_disk"
RUNNERS = ("process", "docker")


def _runner(name, process_runner, docker_runner):
    return {"process": process_runner, "docker": docker_runner}[name]


@pytest.mark.parametrize("runner_name", RUNNERS)
def test_a_flood_is_cut_at_the_log_limit(runner_name, tmp_path, process_runner, docker_runner):
    folder = make_run_folder(tmp_path)
    spec = folder.train_spec(TOY, TOY_DO="flood")
    runner = _runner(runner_name, process_runner, docker_runner)
    outcome = run_train(runner, spec, 6.0, 0.5, folder.model_dir)
    assert outcome.status is Status.TIMEOUT
    assert outcome.details["log_cut"] is True
    assert LOG_LIMIT_BYTES <= spec.log_path.stat().st_size < LOG_LIMIT_BYTES + 4096


def _predict(runner_name, tmp_path, process_runner, docker_runner, **env):
    runner = _runner(runner_name, process_runner, docker_runner)
    folder = make_run_folder(tmp_path)
    trained = run_train(runner, folder.train_spec("constant"), 60.0, 0.5, folder.model_dir)
    assert trained.status is Status.OK, trained.reason
    spec = folder.predict_spec(TOY, **env)
    outcome, _ = run_predict(runner, spec, folder.requests, CLASSES, FAST)
    return outcome


@pytest.mark.parametrize("runner_name", RUNNERS)
def test_an_over_long_line_is_invalid_answers(runner_name, tmp_path, process_runner, docker_runner):
    outcome = _predict(runner_name, tmp_path, process_runner, docker_runner, TOY_DO="long_line")
    assert outcome.status is Status.INVALID_ANSWERS, outcome.reason
    assert "longer than" in outcome.reason


@pytest.mark.parametrize("runner_name", RUNNERS)
def test_a_closed_stdout_is_too_slow(runner_name, tmp_path, process_runner, docker_runner):
    outcome = _predict(runner_name, tmp_path, process_runner, docker_runner, TOY_DO="close_stdout")
    assert outcome.status is Status.TOO_SLOW, outcome.reason
