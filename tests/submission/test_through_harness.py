"""The reference submission, with a tiny backbone, trained and served through the harness."""

import re

from submission_run import CLASSES, PREDICT_LIMITS, TINY, Run

from harness.phases import run_predict, run_train
from harness.phases.outcome import Status


def test_trains_exports_and_answers_through_the_harness(tmp_path, runner):
    run = Run(tmp_path, TINY)
    outcome = run_train(runner, run.spec("train"), 120.0, 5.0, run.model_dir)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)

    meta = run.metadata()
    assert meta["classes"] == sorted(CLASSES)
    assert {m["backbone"] for m in meta["members"]} == {"tiny"}
    stages = [line["stage"] for line in run.metric_lines()]
    assert {"features", "head", "export", "finetune", "done"} <= set(stages)
    assert stages.index("export") < stages.index("finetune")  # exported before improving
    decode = next(line for line in run.metric_lines() if line["stage"] == "decode")
    assert decode["in_memory"] and decode["images"] == 8 * len(CLASSES)
    feature_lines = [line for line in run.metric_lines() if line["stage"] == "features"]
    assert all(line["images_per_s"] > 0 and line["augmented_per_s"] > 0 for line in feature_lines)
    head_epochs = [line for line in run.metric_lines() if line["stage"] == "head"]
    assert all({"epoch", "loss", "val_accuracy", "time"} <= set(x) for x in head_epochs)

    requests = run.requests()
    outcome, answers = run_predict(runner, run.spec("predict"), requests, CLASSES, PREDICT_LIMITS)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert len(answers) == len(requests)
    assert {a.label for a in answers} <= set(CLASSES)
    assert all(abs(sum(a.scores.values()) - 1.0) < 1e-3 for a in answers)


def test_pixel_cache_over_the_memory_limit_runs_from_a_mapped_file(tmp_path, runner):
    # 24 images at 32 px are 72 KiB of pixels; a quarter of 0.1 MiB is 25.6 KiB
    run = Run(tmp_path, TINY + "cache_memory_mb = 0.1\n")
    outcome = run_train(runner, run.spec("train"), 120.0, 5.0, run.model_dir)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    decode = next(line for line in run.metric_lines() if line["stage"] == "decode")
    assert not decode["in_memory"]
    assert (run.model_dir / "metadata.json").is_file()


def test_model_exported_when_the_budget_cuts_training_short(tmp_path, runner):
    endless = re.sub(r"head_epochs = \d+", "head_epochs = 1000000", TINY)
    assert "head_epochs = 1000000" in endless
    run = Run(tmp_path, endless + "margin_min_s = 4.0\n")
    outcome = run_train(runner, run.spec("train"), 30.0, 5.0, run.model_dir)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert (run.model_dir / "metadata.json").is_file()
    last_epoch = max(x["epoch"] for x in run.metric_lines() if x["stage"] == "head")
    assert 1 <= last_epoch < 1000000
    assert outcome.wall_s < 30.0


def test_missing_weights_is_a_clear_error(tmp_path, runner):
    run = Run(tmp_path, 'backbones = ["efficientnet_lite0"]\n')
    outcome = run_train(runner, run.spec("train"), 60.0, 5.0, run.model_dir)
    assert outcome.status is Status.CRASHED and outcome.exit_code == 2
    log = "\n".join(outcome.log_tail)
    assert "efficientnet_lite0.weights.h5" in log and "garbage.convert_lite lite0" in log
    assert "Traceback" not in log
