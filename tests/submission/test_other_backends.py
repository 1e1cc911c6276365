"""The reference submission on Keras's torch and jax backends (issue 3: written with keras.ops).

The tiny backbone trains, exports and answers through the harness with
KERAS_BACKEND set; the backend each phase really ran on is read from the
export's metadata and the predict log, not assumed from the setting.
"""

import pytest
from submission_run import CLASSES, PREDICT_LIMITS, TINY, Run

from harness.phases import run_predict, run_train
from harness.phases.outcome import Status


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_trains_exports_and_answers_on_another_backend(tmp_path, runner, backend):
    run = Run(tmp_path, TINY, env={"KERAS_BACKEND": backend})
    outcome = run_train(runner, run.spec("train"), 120.0, 5.0, run.model_dir)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    meta = run.metadata()
    assert meta["keras_backend"] == backend
    assert meta["classes"] == sorted(CLASSES)
    assert {"head", "export", "finetune", "done"} <= {x["stage"] for x in run.metric_lines()}
    assert f"keras {backend} backend" in run.log_path("train").read_text(encoding="utf-8")

    requests = run.requests()
    outcome, answers = run_predict(runner, run.spec("predict"), requests, CLASSES, PREDICT_LIMITS)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert f"predict: keras {backend} backend" in run.log_path("predict").read_text(
        encoding="utf-8"
    )
    assert sorted(a.id for a in answers) == sorted(r.id for r in requests)
    assert {a.label for a in answers} <= set(CLASSES)
    assert all(set(a.scores) == set(CLASSES) for a in answers)
    assert all(abs(sum(a.scores.values()) - 1.0) < 1e-3 for a in answers)
