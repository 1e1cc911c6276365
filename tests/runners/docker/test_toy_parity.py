"""Every toy gets the same status in a container as in a child process.

Each case runs the toy's phase under both runners and asserts the expected
status for both, so a docker verdict that drifts from the process runner's
(an OOM kill read as a crash, a cut network that is not cut) fails here.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from docker_support import FAST
from phase_support import CLASSES, RunFolder, make_run_folder

from harness.phases import run_predict, run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits

pytestmark = pytest.mark.docker

MEMORY_LIMIT = 200 * 2**20
RUNNERS = ("process", "docker")


@dataclass(frozen=True)
class Case:
    toy: str
    expected: Status
    env: dict[str, str] = field(default_factory=dict)
    limits: Limits = Limits()
    budget_s: float = 30.0

    def __str__(self) -> str:
        return f"{self.toy}-{self.expected.value}"


TRAIN_CASES = [
    Case("constant", Status.OK),
    Case("centroid", Status.OK),
    Case("no_model", Status.NO_MODEL_EXPORTED),
    Case("sleep_forever", Status.TIMEOUT, {"TOY_IGNORE_SIGTERM": "1"}, budget_s=1.5),
    Case("memory_hog", Status.OUT_OF_MEMORY, {"TOY_STEP_MB": "32"}, Limits(MEMORY_LIMIT)),
]

PREDICT_CASES = [
    Case("constant", Status.OK),
    Case("centroid", Status.OK),
    Case("crash_midway", Status.CRASHED, {"TOY_CRASH_AFTER": "2"}),
    Case("garbage", Status.INVALID_ANSWERS),
    Case("too_slow", Status.TOO_SLOW, {"TOY_SLEEP_S": "0.8"}),
    Case("slow_setup", Status.NOT_READY_IN_TIME, {"TOY_SETUP_SLEEP_S": "3600"}),
    Case("sleep_forever", Status.TOO_SLOW),
    Case("memory_hog", Status.OUT_OF_MEMORY, {"TOY_STEP_MB": "32"}, Limits(MEMORY_LIMIT)),
    Case("reads_answer_key", Status.OK),
]

TOYS_WITHOUT_A_MODEL = {"sleep_forever", "memory_hog"}


def _runners(process_runner, docker_runner) -> dict:
    return {"process": process_runner, "docker": docker_runner}


@pytest.mark.parametrize("case", TRAIN_CASES, ids=str)
def test_train_status_matches(case, tmp_path, process_runner, docker_runner):
    runners = _runners(process_runner, docker_runner)
    statuses = {}
    for name in RUNNERS:
        folder = make_run_folder(tmp_path / name)
        spec = folder.train_spec(case.toy, case.limits, **case.env)
        outcome = run_train(runners[name], spec, case.budget_s, 0.5, folder.model_dir)
        statuses[name] = (outcome.status, outcome.reason)
    assert {name: s for name, (s, _) in statuses.items()} == dict.fromkeys(RUNNERS, case.expected)


def _trained(folder: RunFolder, toy: str, runner) -> None:
    if toy not in TOYS_WITHOUT_A_MODEL:
        outcome = run_train(runner, folder.train_spec(toy), 30, 1, folder.model_dir)
        assert outcome.status is Status.OK, outcome.reason


@pytest.mark.parametrize("case", PREDICT_CASES, ids=str)
def test_predict_status_matches(case, tmp_path, process_runner, docker_runner):
    runners = _runners(process_runner, docker_runner)
    results = {}
    for name in RUNNERS:
        folder = make_run_folder(tmp_path / name)
        _trained(folder, case.toy, runners[name])
        limits = FAST if case.toy != "slow_setup" else FAST.__class__(2.0, 0.5, 5.0, 1.0)
        spec = folder.predict_spec(case.toy, case.limits, **case.env)
        outcome, answers = run_predict(runners[name], spec, folder.requests, CLASSES, limits)
        results[name] = (outcome.status, folder.accuracy(answers), outcome.reason)
    statuses = {name: status for name, (status, _, _) in results.items()}
    assert statuses == dict.fromkeys(RUNNERS, case.expected), results
    accuracies = {name: accuracy for name, (_, accuracy, _) in results.items()}
    assert accuracies["process"] == accuracies["docker"], results


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    """A TCP port open on every host address, so only a cut network can miss it."""
    with socket.socket() as server:
        server.bind(("0.0.0.0", 0))
        server.listen()
        yield server.getsockname()


@pytest.mark.parametrize(("network", "expected"), [(False, Status.OK), (True, Status.CRASHED)])
def test_network_is_cut_unless_allowed(
    network, expected, listener, engine, tmp_path, process_runner, docker_runner
):
    # The bridge's gateway is this host as a container on the default network sees it.
    bridge = engine.networks.get("bridge").attrs["IPAM"]["Config"][0]
    gateway = bridge.get("Gateway") or str(next(ipaddress.ip_network(bridge["Subnet"]).hosts()))
    address = f"{gateway}:{listener[1]}"
    runners = _runners(process_runner, docker_runner)
    for name in RUNNERS:
        folder = make_run_folder(tmp_path / name)
        spec = folder.train_spec("network", Limits(network=network), TOY_CONNECT_ADDR=address)
        outcome = run_train(runners[name], spec, 30, 1, folder.model_dir)
        log = "\n".join(outcome.log_tail)
        assert ("reachable" if network else "unreachable") in log, (name, log)
        assert outcome.status is expected, (name, outcome.reason)


def test_answer_key_in_the_run_folder_is_out_of_reach(run_folder, docker_runner):
    key = run_folder.write_answer_key()
    _trained(run_folder, "reads_answer_key", docker_runner)
    spec = run_folder.predict_spec("reads_answer_key")
    outcome, answers = run_predict(docker_runner, spec, run_folder.requests, CLASSES, FAST)
    assert outcome.status is Status.OK, outcome.reason
    log = spec.log_path.read_text(encoding="utf-8")
    assert "found nothing" in log, log
    assert str(key) not in log
    assert run_folder.accuracy(answers) < 1.0
