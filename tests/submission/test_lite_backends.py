"""EfficientNet-Lite0 computes the same features on the TensorFlow, torch and jax backends.

Same converted weights, same input, one process per backend (Keras fixes its
backend per process): the network and its weight layout are backend-neutral,
and on each backend the exported split network (nested bottom + top) loads
back nested and computes what the whole network computes.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from submission_run import SUBMISSION

SCRIPT = Path(__file__).resolve().parent / "lite_forward.py"
BACKENDS = ("tensorflow", "torch", "jax")


def test_lite0_features_agree_between_tensorflow_torch_and_jax(tmp_path):
    procs = {}
    for backend in BACKENDS:
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        env["PYTHONPATH"] = str(SUBMISSION)
        out = tmp_path / f"{backend}.npz"
        cmd = [sys.executable, str(SCRIPT), str(out)]
        procs[backend] = (out, subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True))
    results = {}
    for backend, (out, proc) in procs.items():
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
        results[backend] = np.load(out)

    assert {b: str(results[b]["backend"]) for b in BACKENDS} == {b: b for b in BACKENDS}
    tf_out = results["tensorflow"]["features"]
    assert tf_out.shape == (2, 1280)
    for backend in BACKENDS:
        result = results[backend]
        assert int(result["nested_models"]) == 1 + int(result["blocks_below_split"]), backend
        np.testing.assert_allclose(
            result["exported_features"], result["features"], rtol=1e-4, atol=1e-5, err_msg=backend
        )
    for backend in ("torch", "jax"):
        other = results[backend]["features"]
        assert other.shape == tf_out.shape
        rel = np.linalg.norm(other - tf_out) / np.linalg.norm(tf_out)
        assert rel < 1e-4, (backend, rel)
