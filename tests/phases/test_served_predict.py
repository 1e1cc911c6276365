"""The platform's side of prediction: the contest fixture's SavedModel served by OpenVINO.

One real Keras model is trained once (tests/toys/contest_savedmodel) and then
served under different settings by the harness's own predict program, through
the process runner, so each verdict below is the one a rehearsal would give.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from exec_support import FAST
from phase_support import CLASSES, PROFILE, RunFolder, make_run_folder
from PIL import Image

from harness.package.serve_settings import ServeSettings
from harness.phases import run_predict, run_train
from harness.phases.contract_env import RunFolders, predict_variables
from harness.phases.outcome import Status
from harness.phases.served import FAILURES, served_command, served_mount
from harness.phases.served.program import preprocess
from harness.runners.base import Limits

FIXTURE = "contest_savedmodel"
RIGHT = ServeSettings(input_size=(32, 32), mean=(127.5,) * 3, scale=(127.5,) * 3)
TRAIN_ENV = {"KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2", "CONTEST_EPOCHS": "30"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, runner) -> RunFolder:
    """The fixture trained once on 4 images per class; tests copy its model folder."""
    folder = make_run_folder(tmp_path_factory.mktemp("served"))
    spec = folder.train_spec(FIXTURE, **TRAIN_ENV)
    spec = dataclasses.replace(spec, command=("python", "python_package/model.py"))
    outcome = run_train(runner, spec, 120, 2, folder.model_dir)
    assert outcome.status is Status.OK, outcome.log_tail
    return folder


def _serve(folder: RunFolder, runner, settings: ServeSettings, model_dir: Path | None = None):
    """Run the served predict phase on `model_dir` (default: the trained model)."""
    folders = folder.folders()
    if model_dir is not None:
        folders = RunFolders(folders.train_dir, folders.test_dir, model_dir, folders.metrics_path)
    environment = predict_variables(folders, PROFILE, folder.scratch, FAST)
    environment = dataclasses.replace(environment, mounts=(*environment.mounts, served_mount()))
    spec = environment.spec(
        served_command(settings, CLASSES),
        folder.package(FIXTURE),
        Limits(),
        folder.layout.log("predict"),
    )
    return run_predict(runner, spec, folder.requests, CLASSES, FAST, failures=FAILURES)


def _model_copy(folder: RunFolder, tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(folder.model_dir, copy)
    return copy


def test_the_declared_settings_serve_the_model_well(trained, runner):
    outcome, answers = _serve(trained, runner, RIGHT)
    assert outcome.status is Status.OK, (outcome.reason, outcome.log_tail)
    assert len(answers) == len(trained.requests)
    assert trained.accuracy(answers) >= 0.8


def test_wrong_channel_order_scores_lower_on_the_same_model(trained, runner):
    _, right_answers = _serve(trained, runner, RIGHT)
    wrong = dataclasses.replace(RIGHT, reverse_channels=True)
    outcome, wrong_answers = _serve(trained, runner, wrong)
    assert outcome.status is Status.OK, outcome.reason
    assert trained.accuracy(wrong_answers) < trained.accuracy(right_answers)


def test_mean_scale_and_channel_order_are_applied_as_declared(tmp_path):
    """Preprocessing of one known pixel: RGB, reversed if asked, then (x - mean) / scale."""
    path = tmp_path / "one.png"
    Image.new("RGB", (4, 2), (200, 100, 50)).save(path)
    settings = {"input_size": [2, 2], "mean": [100, 50, 0], "scale": [2, 5, 10]}
    plain = preprocess(str(path), {**settings, "reverse_channels": False})
    reversed_ = preprocess(str(path), {**settings, "reverse_channels": True})
    assert plain.shape == (1, 2, 2, 3)
    assert plain[0, 0, 0].tolist() == [50.0, 10.0, 5.0]
    assert reversed_[0, 0, 0].tolist() == [-25.0, 10.0, 20.0]


def test_no_savedmodel(trained, runner, tmp_path):
    model = _model_copy(trained, tmp_path)
    shutil.rmtree(model / "SavedModel")
    outcome, answers = _serve(trained, runner, RIGHT, model)
    assert outcome.status is Status.NO_SAVEDMODEL and answers == []
    assert outcome.reason == (
        f"No SavedModel at {model / 'SavedModel'} (no saved_model.pb): training exported none."
    )


def test_a_model_openvino_cannot_read(trained, runner, tmp_path):
    model = _model_copy(trained, tmp_path)
    (model / "SavedModel" / "saved_model.pb").write_bytes(b"not a protobuf at all")
    outcome, _ = _serve(trained, runner, RIGHT, model)
    assert outcome.status is Status.MODEL_UNREADABLE
    assert outcome.reason.startswith("OpenVINO cannot read the SavedModel: ")


def test_an_input_size_the_model_does_not_take(trained, runner):
    outcome, _ = _serve(trained, runner, dataclasses.replace(RIGHT, input_size=(48, 48)))
    assert outcome.status is Status.INPUT_SIZE_MISMATCH
    assert "a 48x48 RGB image" in outcome.reason and "[?,32,32,3]" in outcome.reason


def test_labels_that_do_not_match_the_classes(trained, runner, tmp_path):
    model = _model_copy(trained, tmp_path)
    (model / "class_index.txt").write_text("cardboard 0\nglass 1\nplastic 2\n", encoding="utf-8")
    outcome, _ = _serve(trained, runner, RIGHT, model)
    assert outcome.status is Status.LABELS_MISMATCH
    assert outcome.reason == (
        "class_index.txt does not match the classes: missing ['纸箱'], not a class ['plastic']."
    )


def test_a_labels_file_that_is_not_name_index_lines(trained, runner, tmp_path):
    model = _model_copy(trained, tmp_path)
    (model / "class_index.txt").write_text("cardboard 0\nglass\n纸箱 2\n", encoding="utf-8")
    outcome, _ = _serve(trained, runner, RIGHT, model)
    assert outcome.status is Status.LABELS_MISMATCH
    assert outcome.reason == (
        "class_index.txt line 2 is not a 'name index' line with a new index: 'glass'."
    )


def test_an_input_name_the_model_does_not_have(trained, runner):
    outcome, _ = _serve(trained, runner, dataclasses.replace(RIGHT, input_name="pixels"))
    assert outcome.status is Status.SERVE_SETTINGS_INVALID
    assert outcome.reason.startswith("input_name 'pixels' is not an input of the model")


def test_a_team_program_cannot_choose_its_failure_status(run_folder, runner):
    """Only the harness's own program may report a failure; the same line from a toy is invalid."""
    spec = run_folder.predict_spec("constant")
    spec = dataclasses.replace(
        spec,
        command=("python", "-c", 'print(\'{"failure": "no_savedmodel", "reason": "x"}\')'),
    )
    outcome, _ = run_predict(runner, spec, run_folder.requests, CLASSES, FAST)
    assert outcome.status is Status.CRASHED
