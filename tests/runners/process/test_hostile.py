"""Hostile toys (tests/toys/hostile/) under the process runner: each gets its status, and
the user's files stay byte-identical. The cases are shared with the docker runner's tests
(tests/hostile_support.py)."""

from __future__ import annotations

import shutil

import pytest
from hostile_support import CASES, user_files  # noqa: F401 (a fixture)

NEEDS_CC = {"preload"}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_toy_gets_its_status(case, run_folder, runner, user_files):  # noqa: F811
    if case in NEEDS_CC and shutil.which("cc") is None:
        pytest.fail("the preload case needs a C compiler (cc)")
    CASES[case](run_folder, runner, user_files)
