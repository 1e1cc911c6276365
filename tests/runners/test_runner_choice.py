"""The runner registry owns the names: choose_runner refuses one it lacks, before any work."""

from __future__ import annotations

import pytest

from harness.errors import UserError
from harness.runners import RUNNERS
from harness.runners.choice import AUTO, choose_runner, runner_choices


def test_a_named_runner_is_taken_as_set() -> None:
    assert choose_runner("process", "unused:1") == ("process", "runner process (as set)")


def test_an_unknown_runner_lists_the_registry_and_auto() -> None:
    with pytest.raises(UserError) as caught:
        choose_runner("kubernetes", "unused:1")
    assert "unknown runner 'kubernetes'" in str(caught.value)
    assert "auto, docker, process" in str(caught.value)


def test_the_choices_are_the_registry_and_auto() -> None:
    assert runner_choices() == (*RUNNERS, AUTO)
