"""submission.toml: every mistake is named with the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import UserError
from harness.package.manifest import load_manifest

GOOD = """\
name = "entry"
[train]
command = ["python", "train.py"]
[predict]
command = ["python", "p.py"]
"""


def test_a_good_manifest_is_read(tmp_path: Path) -> None:
    (tmp_path / "submission.toml").write_text(GOOD, encoding="utf-8")
    manifest = load_manifest(tmp_path)
    assert manifest.name == "entry" and manifest.root == tmp_path.resolve()
    assert manifest.train_command == ("python", "train.py")
    assert manifest.predict_command == ("python", "p.py")
    assert manifest.train_env == {} and manifest.predict_env == {}


def test_each_phase_may_add_environment_variables(tmp_path: Path) -> None:
    text = GOOD.replace('["python", "train.py"]', '["python", "train.py"]\nenv = { A_B = "1" }')
    (tmp_path / "submission.toml").write_text(text, encoding="utf-8")
    manifest = load_manifest(tmp_path)
    assert manifest.train_env == {"A_B": "1"} and manifest.predict_env == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[train]\ncommand = ["a"]\n[predict]\ncommand = ["b"]\n', "'name' is required"),
        ('name = ""\n[train]\ncommand = ["a"]\n[predict]\ncommand = ["b"]\n', "'name'"),
        ('name = "x"\n[predict]\ncommand = ["b"]\n', "missing the [train] table"),
        ('name = "x"\ntrain = 3\n[predict]\ncommand = ["b"]\n', "'train' must be a table"),
        (
            'name = "x"\n[train]\ncmd = ["a"]\n[predict]\ncommand = ["b"]\n',
            "[train] has no 'command'",
        ),
        (
            'name = "x"\n[train]\ncommand = "python train.py"\n[predict]\ncommand = ["b"]\n',
            "[train].command must be a list of strings",
        ),
        ('name = "x"\n[train]\ncommand = ["a"]\n[predict]\ncommand = []\n', "[predict].command"),
        (
            'name = "x"\n[train]\ncommand = ["a", 3]\n[predict]\ncommand = ["b"]\n',
            "[train].command",
        ),
        ('name = "x\n', "not valid TOML"),
        (
            'name = "x"\n[train]\ncommand = ["a"]\nenv = "A=1"\n[predict]\ncommand = ["b"]\n',
            "[train].env must be a table",
        ),
        (
            'name = "x"\n[train]\ncommand = ["a"]\n[predict]\ncommand = ["b"]\nenv = { N = 1 }\n',
            "[predict].env.N must be a string",
        ),
        (
            'name = "x"\n[train]\ncommand = ["a"]\n'
            'env = { "A-B" = "1" }\n[predict]\ncommand = ["b"]\n',
            "'A-B' is not a valid variable name",
        ),
        (
            'name = "x"\n[train]\ncommand = ["a"]\n'
            'env = { HOME = "/" }\n[predict]\ncommand = ["b"]\n',
            "sets HOME, which the harness sets",
        ),
        (
            'name = "x"\n[train]\ncommand = ["a"]\n[predict]\n'
            'command = ["b"]\nenv = { ONLINESIM_DEADLINE = "9" }\n',
            "sets ONLINESIM_DEADLINE",
        ),
        (
            'name = "x"\n[train]\ncommand = ["a"]\n'
            'env = { A = "a\\u0000b" }\n[predict]\ncommand = ["b"]\n',
            "[train].env.A contains a NUL character",
        ),
    ],
)
def test_bad_manifests_name_the_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "submission.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_manifest(tmp_path)
    assert str(tmp_path / "submission.toml") in str(caught.value)
    assert expected in str(caught.value)


def test_string_command_gets_the_list_form_as_a_hint(tmp_path: Path) -> None:
    text = 'name = "x"\n[train]\ncommand = "python train.py"\n[predict]\ncommand = ["b"]\n'
    (tmp_path / "submission.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_manifest(tmp_path)
    assert caught.value.hint is not None and '["python", "train.py"]' in caught.value.hint


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("1", 'quote it: N = "1".'),
        ("true", 'quote it: N = "true".'),
        ("{ B = 1 }", 'write one string: N = "...".'),
        ("[1, 2]", 'write one string: N = "...".'),
    ],
)
def test_a_value_that_is_not_a_string_gets_the_line_as_it_should_read(
    tmp_path: Path, value: str, hint: str
) -> None:
    text = f'name = "x"\n[train]\ncommand = ["a"]\nenv = {{ N = {value} }}\n'
    (tmp_path / "submission.toml").write_text(text + '[predict]\ncommand = ["b"]\n')
    with pytest.raises(UserError, match=r"\[train\]\.env\.N must be a string") as caught:
        load_manifest(tmp_path)
    assert caught.value.hint == hint


def test_missing_manifest_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no manifest"):
        load_manifest(tmp_path)
    with pytest.raises(UserError, match="does not exist"):
        load_manifest(tmp_path / "absent")


@pytest.mark.parametrize(
    "command",
    [["python", "../outside.py"], ["python", "sub/../../outside.py"], ["../bin/tool"]],
)
def test_a_command_that_climbs_out_of_the_package_is_refused_with_a_hint(
    tmp_path: Path, command: list[str]
) -> None:
    argv = ", ".join(f'"{arg}"' for arg in command)
    text = f'name = "x"\n[train]\ncommand = [{argv}]\n[predict]\ncommand = ["python", "p.py"]\n'
    (tmp_path / "submission.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_manifest(tmp_path)
    assert "[train].command names" in str(caught.value) and "climbs out" in str(caught.value)
    assert caught.value.hint and "'..'" in caught.value.hint


SERVED = """\
name = "entry"
[train]
command = ["python", "python_package/model.py"]
[predict]
serve = "savedmodel"
input_size = 380
mean = 127.5
scale = 127.5
reverse_channels = true
"""


def test_a_served_predict_needs_no_command(tmp_path: Path) -> None:
    (tmp_path / "submission.toml").write_text(SERVED, encoding="utf-8")
    manifest = load_manifest(tmp_path)
    assert manifest.predict_command == ()
    serve = manifest.predict_serve
    assert serve is not None and serve.input_size == (380, 380)
    assert serve.mean == (127.5,) * 3 and serve.scale == (127.5,) * 3
    assert serve.reverse_channels and serve.labels == "class_index.txt"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("input_size = 380\n", ""), "serving a SavedModel needs 'input_size'"),
        (("input_size = 380", "input_size = [1, 2, 3]"), "'input_size' must be a positive"),
        (("mean = 127.5", "mean = [1, 2]"), "'mean' must be a number or a list of 3"),
        (("scale = 127.5", "scale = 0"), "'scale' divides the pixels"),
        (("reverse_channels = true", 'reverse_channels = "yes"'), "'reverse_channels' must be"),
        (('serve = "savedmodel"', 'serve = "onnx"'), "'serve' must be one of 'savedmodel'"),
        (("scale = 127.5", "scal = 127.5"), "unknown field(s) for a served predict: scal"),
        (('serve = "savedmodel"', 'serve = "savedmodel"\ncommand = ["x"]'), "both 'command'"),
    ],
)
def test_served_settings_missing_or_malformed_are_refused(tmp_path: Path, change, expected):
    (tmp_path / "submission.toml").write_text(SERVED.replace(*change), encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_manifest(tmp_path)
    assert expected in error.value.message


def test_a_contest_layout_folder_gets_a_derived_manifest(tmp_path: Path) -> None:
    (tmp_path / "python_package").mkdir()
    (tmp_path / "python_package" / "train.py").write_text("", encoding="utf-8")
    manifest = load_manifest(tmp_path)
    assert manifest.train_command == ("python", "python_package/train.py")
    assert manifest.predict_serve is not None and manifest.predict_serve.input_size == (299, 299)
    assert "the platform defaults" in manifest.derived


def test_a_malformed_serve_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "python_package").mkdir()
    (tmp_path / "python_package" / "model.py").write_text("", encoding="utf-8")
    (tmp_path / "python_package" / "serve.toml").write_text("mean = [1, 2]\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_manifest(tmp_path)
    assert "serve.toml" in error.value.message and "'mean' must be" in error.value.message
