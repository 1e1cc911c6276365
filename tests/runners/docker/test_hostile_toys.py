"""Hostile toys (tests/toys/hostile/) under the docker runner: the cases the process runner's
tests run (tests/hostile_support.py), each with its status and the user's files
byte-identical. One container per phase from the base image the docker tests share."""

from __future__ import annotations

import pytest
from hostile_support import CASES, user_files  # noqa: F401 (a fixture)

pytestmark = pytest.mark.docker


@pytest.fixture
def runner(docker_runner):
    return docker_runner


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_toy_gets_its_status_under_docker(case, run_folder, runner, user_files):  # noqa: F811
    CASES[case](run_folder, runner, user_files)
