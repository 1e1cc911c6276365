"""What each phase is told and shown: the contract's variables and mounts, from one place."""

import re
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.package.manifest import load_manifest
from harness.phases.contract_env import (
    RunFolders,
    make_scratch,
    predict_variables,
    train_variables,
)
from harness.phases.predict import PredictLimits
from harness.phases.train import limit_variables
from harness.runners.base import Limits, Mount

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract.md"
LIMITS = PredictLimits(setup_s=120.0, per_image_s=0.5, request_timeout_s=10.0, grace_s=5.0)


@pytest.fixture
def folders(tmp_path):
    return RunFolders(
        train_dir=tmp_path / "stage" / "train",
        test_dir=tmp_path / "stage" / "test",
        model_dir=tmp_path / "model",
        metrics_path=tmp_path / "metrics" / "train_metrics.jsonl",
    )


@pytest.fixture
def scratch(tmp_path):
    return make_scratch(tmp_path / "scratch" / "phase")


def test_train_gets_the_data_the_model_folder_and_the_metrics_file(folders, scratch):
    variables = train_variables(folders, "smoke", scratch)
    assert variables.env == {
        "IMAGE_TRAIN_INPUT_PATH": str(folders.train_dir),
        "MODEL_INFERENCE_PATH": str(folders.model_dir),
        "ONLINESIM_METRICS_PATH": str(folders.metrics_path),
        "ONLINESIM_PHASE": "train",
        "ONLINESIM_PROFILE": "smoke",
        "TMPDIR": str(scratch / "tmp"),
        "HOME": str(scratch / "home"),
    }


def test_train_writes_only_the_model_and_metrics_folders(folders, scratch):
    mounts = train_variables(folders, "smoke", scratch).mounts
    assert set(mounts) == {
        Mount(folders.train_dir, writable=False),
        Mount(folders.model_dir, writable=True),
        Mount(folders.metrics_path.parent, writable=True),
    }
    assert folders.test_dir not in {m.path for m in mounts}


def test_predict_gets_the_model_the_images_and_its_limits(folders, scratch):
    variables = predict_variables(folders, "online", scratch, LIMITS)
    assert variables.env == {
        "MODEL_INFERENCE_PATH": str(folders.model_dir),
        "IMAGE_MODEL_PACKAGE_PATH": str(folders.model_dir),
        "IMAGE_INPUT_PATH": str(folders.test_dir),
        "ONLINESIM_PER_IMAGE_MS": "500.000",
        "ONLINESIM_SETUP_SECONDS": "120.000",
        "ONLINESIM_PHASE": "predict",
        "ONLINESIM_PROFILE": "online",
        "TMPDIR": str(scratch / "tmp"),
        "HOME": str(scratch / "home"),
    }


def test_predict_sees_the_model_and_images_and_writes_nothing(folders, scratch):
    mounts = predict_variables(folders, "online", scratch, LIMITS).mounts
    assert set(mounts) == {Mount(folders.model_dir), Mount(folders.test_dir)}
    assert not any(m.writable for m in mounts)


def test_package_variables_are_added_but_never_replace_the_contracts(folders, scratch):
    asked = {"KERAS_BACKEND": "torch", "MODEL_INFERENCE_PATH": "/elsewhere", "HOME": "/root"}
    for variables in (
        train_variables(folders, "smoke", scratch, asked),
        predict_variables(folders, "smoke", scratch, LIMITS, asked),
    ):
        assert variables.env["KERAS_BACKEND"] == "torch"
        assert variables.env["MODEL_INFERENCE_PATH"] == str(folders.model_dir)
        assert variables.env["HOME"] == str(scratch / "home")


def test_scratch_holds_the_folders_tmpdir_and_home_name(folders, scratch):
    env = train_variables(folders, "smoke", scratch).env
    assert Path(env["TMPDIR"]).is_dir() and Path(env["HOME"]).is_dir()
    assert Path(env["TMPDIR"]) != Path(env["HOME"])


def _documented(section: str) -> set[str]:
    """The variable names a section of docs/contract.md mentions."""
    text = CONTRACT.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z_]+)", body))


def test_every_variable_set_is_documented_in_the_contract(folders, scratch):
    train = train_variables(folders, "smoke", scratch).env
    train |= limit_variables(Limits(memory_bytes=1, gpu_memory_bytes=1))  # set at launch
    predict = predict_variables(folders, "smoke", scratch, LIMITS).env
    assert set(train) <= _documented("Train phase")
    assert set(predict) <= _documented("Predict phase")


def test_the_spec_carries_the_variables_and_only_predict_is_interactive(folders, scratch):
    train = train_variables(folders, "online", scratch)
    predict = predict_variables(folders, "online", scratch, LIMITS)
    limits = Limits(memory_bytes=2**30)

    train_spec = train.spec(("python", "train.py"), scratch, limits, scratch / "t.log")
    predict_spec = predict.spec(("python", "p.py"), scratch, limits, scratch / "p.log", (scratch,))

    assert (train_spec.phase, train_spec.env, train_spec.mounts) == (
        "train",
        train.env,
        train.mounts,
    )
    assert not train_spec.interactive and train_spec.hidden == ()
    assert predict_spec.phase == "predict" and predict_spec.interactive
    assert predict_spec.command == ("python", "p.py") and predict_spec.limits == limits
    assert predict_spec.log_path == scratch / "p.log" and predict_spec.hidden == (scratch,)


def test_a_manifest_may_set_none_of_the_contract_variables(folders, scratch, tmp_path):
    """manifest.py keeps its own list of harness-owned names; it must cover what is set here."""
    names = set(train_variables(folders, "smoke", scratch).env)
    names |= set(predict_variables(folders, "smoke", scratch, LIMITS).env)
    for name in sorted(names):
        (tmp_path / "submission.toml").write_text(
            f'name = "x"\n[train]\ncommand = ["a"]\nenv = {{ {name} = "1" }}\n'
            '[predict]\ncommand = ["b"]\n',
            encoding="utf-8",
        )
        with pytest.raises(UserError, match=f"sets {name}, which the harness sets"):
            load_manifest(tmp_path)
