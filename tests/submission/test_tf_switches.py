"""The train entries turn TensorFlow's oneDNN kernels on before TensorFlow is imported, which
TensorFlow does by itself only on CPUs with AVX-512 features; a value the user set wins.

TensorFlow says "oneDNN custom operations are on" at import when they are, at any log level.
The "off" cases fail on any CPU if the user's value does not win. The "on" cases fail only
on a CPU without AVX-512, if the switch is set too late or not at all: on one with AVX-512
TensorFlow turns oneDNN on anyway (the dev machine has had both kinds of CPU).
"""

import os
import subprocess
import sys

import pytest
from submission_run import SUBMISSION

ONEDNN_ON = "oneDNN custom operations are on"


def _train_without_contract(entry: str, **env: str) -> subprocess.CompletedProcess:
    """The entry imports TensorFlow, then stops at the missing contract variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "IMAGE_", "MODEL_"))}
    return subprocess.run(
        [sys.executable, entry],
        cwd=SUBMISSION,
        env={**base, "KERAS_BACKEND": "tensorflow", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("entry", ["train.py", "contest_train.py"])
@pytest.mark.parametrize(("env", "on"), [({}, True), ({"TF_ENABLE_ONEDNN_OPTS": "0"}, False)])
def test_training_runs_tensorflow_with_onednn_unless_the_user_turned_it_off(entry, env, on):
    done = _train_without_contract(entry, **env)
    assert done.returncode == 2, done.stderr
    assert "train: set IMAGE_TRAIN_INPUT_PATH" in done.stderr
    assert (ONEDNN_ON in done.stderr) is on, done.stderr
