"""Only content that passed the online profile is packaged, unless --force says otherwise."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.package import content_hash
from harness.settings.run_layout import RunLayout


def _cli(submission: Path, runs: Path, out: Path, *extra: str) -> int:
    return main(
        ["package", "--submission", str(submission), "--runs", str(runs), "--out", str(out)]
        + list(extra)
    )


def test_passing_report_is_found_and_named(
    tmp_path: Path, submission: Path, passed: Path, capsys
) -> None:
    assert _cli(submission, passed, tmp_path / "out") == 0
    said = capsys.readouterr().out
    assert "passed online in run 20261126-170000-online-0001, score 81.48" in said
    assert f"content sha256 {content_hash(submission)}" in said
    assert len(list((tmp_path / "out").glob("tiny-entry-*.tar.gz"))) == 1


def test_no_report_is_refused(tmp_path: Path, submission: Path, capsys) -> None:
    assert _cli(submission, tmp_path / "runs", tmp_path / "out") == 2
    said = capsys.readouterr().err
    assert "no report.json found under" in said
    assert "onlinesim simulate --profile online" in said
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"profile": {"name": "smoke"}}, "its profile is 'smoke', not 'online'"),
        ({"verdict": {"passed": False, "reasons": ["timeout"]}}, "its verdict is not passed"),
        ({"submission": {"content_sha256": "0" * 64}}, "the content hash differs"),
    ],
)
def test_unpassed_content_is_refused(
    tmp_path: Path, submission: Path, make_report, capsys, overrides: dict, why: str
) -> None:
    runs = tmp_path / "runs"
    make_report(runs, "20261126-170000-online-0009", content_hash(submission), **overrides)
    assert _cli(submission, runs, tmp_path / "out") == 2
    said = capsys.readouterr().err
    assert "no report shows that this content passed the online profile" in said
    assert why in said


def test_edit_after_the_pass_is_refused(
    tmp_path: Path, submission: Path, passed: Path, capsys
) -> None:
    (submission / "train.py").write_text("print('tweaked after the run')\n", encoding="utf-8")
    assert _cli(submission, passed, tmp_path / "out") == 2
    assert "the content hash differs" in capsys.readouterr().err


def test_force_packages_and_says_loudly_what_it_skipped(
    tmp_path: Path, submission: Path, capsys
) -> None:
    assert _cli(submission, tmp_path / "runs", tmp_path / "out", "--force") == 0
    captured = capsys.readouterr()
    assert "WARNING: passed-online check skipped (--force): no report.json found" in captured.err
    assert "NOT shown to pass the online profile" in captured.err
    assert "wrote " in captured.out


def test_report_given_explicitly(tmp_path: Path, submission: Path, make_report, capsys) -> None:
    elsewhere = make_report(tmp_path / "kept", "my-run", content_hash(submission))
    assert _cli(submission, tmp_path / "runs", tmp_path / "out", "--report", str(elsewhere)) == 0
    assert "passed online in run my-run" in capsys.readouterr().out


def test_contest_layout(tmp_path: Path, submission: Path, passed: Path) -> None:
    assert _cli(submission, passed, tmp_path / "out", "--layout", "contest") == 0
    (tarball,) = (tmp_path / "out").glob("*-contest.tar.gz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        class_index = tar.extractfile("python_package/class_index.txt").read().decode("utf-8")
    assert "requirements.txt" in names
    assert {"python_package/train.py", "python_package/weights/base.bin"} <= names
    assert "python_package/requirements.txt" not in names
    assert class_index == "mop 0\n充电器 1\n纸箱 2\n"


def test_contest_layout_classes_from_data(tmp_path: Path, submission: Path, passed: Path) -> None:
    for name in ("glass", "paper", ".DS_Store"):
        (tmp_path / "data" / name).mkdir(parents=True)
    args = ("--layout", "contest", "--data", str(tmp_path / "data"))
    assert _cli(submission, passed, tmp_path / "out", *args) == 0
    (tarball,) = (tmp_path / "out").glob("*-contest.tar.gz")
    with tarfile.open(tarball) as tar:
        text = tar.extractfile("python_package/class_index.txt").read().decode("utf-8")
    assert text == "glass 0\npaper 1\n"


def test_unreadable_report_is_passed_over(
    tmp_path: Path, submission: Path, passed: Path, capsys
) -> None:
    broken = RunLayout(passed / "20261126-180000-online-dead").report
    broken.parent.mkdir()
    broken.write_text("{truncated", encoding="utf-8")
    assert _cli(submission, passed, tmp_path / "out") == 0
    assert "passed online in run 20261126-170000-online-0001" in capsys.readouterr().out
    (submission / "train.py").write_text("changed\n", encoding="utf-8")
    assert _cli(submission, passed, tmp_path / "out") == 2
    assert f"unreadable, passed over: {broken}" in capsys.readouterr().err
