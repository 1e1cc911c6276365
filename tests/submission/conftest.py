"""Make the submission's package importable as `garbage`, the way its entry scripts see it;
the process runner for the through-the-harness tests."""

import sys

import pytest
from submission_run import SUBMISSION

from harness.runners import create_runner

if str(SUBMISSION) not in sys.path:
    sys.path.insert(0, str(SUBMISSION))


@pytest.fixture(scope="module")
def runner():
    """The process runner: the submission's phases as real child processes."""
    return create_runner("process")
