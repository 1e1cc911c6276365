"""The runner registry: a name gives a runner, a wrong name says which names exist."""

from __future__ import annotations

import pytest

from harness.errors import UserError
from harness.runners import RUNNERS, create_runner
from harness.runners.process.runner import ProcessRunner


def test_process_runner_by_name_with_options():
    runner = create_runner("process", sample_interval_s=0.2)
    assert isinstance(runner, ProcessRunner)
    assert runner.sample_interval_s == 0.2


def test_unknown_runner_lists_the_valid_names():
    with pytest.raises(UserError) as raised:
        create_runner("kubernetes")
    assert "unknown runner 'kubernetes'" in str(raised.value)
    assert "docker, process" in str(raised.value)
    assert set(RUNNERS) == {"docker", "process"}
