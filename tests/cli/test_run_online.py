"""./run_online.sh for real, in a temporary copy of the repository: the run, then packaging."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# It installs a virtual environment through run_online.sh: never part of the fast subset.
pytestmark = pytest.mark.slow


def _args(toy: Path, data: Path, *extra: str) -> list[str]:
    return ["--runner", "process", "--submission", str(toy), "--data", str(data), *extra]


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_a_smoke_pass_says_packaging_needs_an_online_pass(
    online_checkout, toys_dir, three_class_set
):
    result = online_checkout.run(*_args(toys_dir / "constant", three_class_set))
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_line(result.stdout) == (
        "run_online: not packaged: packaging needs a pass under the online profile; run "
        f"./run_online.sh --profile online --submission {toys_dir / 'constant'} "
        f"--data {three_class_set}"
    )
    assert not (online_checkout.root / "dist").exists()
    assert len(list((online_checkout.root / "runs").glob("*-smoke-*/report.json"))) == 1


def test_an_online_pass_is_packaged(online_checkout, toys_dir, three_class_set):
    args = _args(toys_dir / "constant", three_class_set, "--profile=online")
    result = online_checkout.run(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    dist = online_checkout.root / "dist"
    assert _last_line(result.stdout).startswith(f"run_online: packaged: {dist / 'toy-constant-'}")
    (tarball,) = dist.glob("toy-constant-*.tar.gz")
    assert tarball.with_name(tarball.name + ".sha256").is_file()


def test_a_failed_run_keeps_its_status_and_is_not_packaged(
    online_checkout, toys_dir, three_class_set
):
    args = _args(toys_dir / "no_model", three_class_set, "--profile", "online")
    result = online_checkout.run(*args)
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "run_online: " not in _last_line(result.stdout)
    assert not (online_checkout.root / "dist").exists()


def test_a_link_leaving_the_package_is_refused_before_the_run(
    online_checkout, tmp_path, toys_dir, three_class_set
):
    """What could not be uploaded is not rehearsed either: bad input, said in one message."""
    toy = shutil.copytree(toys_dir / "constant", tmp_path / "linked")
    (toy / "notes.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "outside.txt").write_text("not in the package", encoding="utf-8")
    result = online_checkout.run(*_args(toy, three_class_set, "--profile", "online"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "onlinesim: error: the submission holds things that cannot be packaged:" in (
        result.stderr
    )
    assert "notes.txt: a link that points outside the package" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (online_checkout.root / "runs").exists()
    assert not (online_checkout.root / "dist").exists()


def test_the_terminal_holds_the_harness_lines_and_the_logs_keep_the_library_noise(
    online_checkout, tmp_path, toys_dir, set_pillow_warns_on
):
    """TensorFlow in the phase (absl's C++ log) and Pillow in the harness speak; not on screen."""
    toy = shutil.copytree(toys_dir / "constant", tmp_path / "with-tensorflow")
    train = toy / "train.py"
    train.write_text(
        "import tensorflow as tf\nprint(int(tf.reduce_sum(tf.ones(3))))\n" + train.read_text(),
        encoding="utf-8",
    )
    # This repository's harness, also where .venv's editable install points at another checkout.
    result = online_checkout.run(*_args(toy, set_pillow_warns_on), PYTHONPATH=str(REPO))
    assert result.returncode == 0, result.stdout + result.stderr
    own = ("run_online: ", "onlinesim: ", "  ", "setup: ")
    assert [line for line in result.stdout.splitlines() if not line.startswith(own)] == []
    assert result.stderr == ""
    (run,) = (online_checkout.root / "runs").glob("*-smoke-*")
    # absl's line comes before TensorFlow's first C++ log line, whichever the CPU makes it
    # print (oneDNN's only on CPUs with AVX-512 features).
    assert "absl::InitializeLog" in (run / "logs" / "train.log").read_text(encoding="utf-8")
    harness_log = (run / "logs" / "harness.log").read_text(encoding="utf-8")
    assert "Palette images with Transparency" in harness_log


def _noisy_setup(checkout, exit_status: int) -> None:
    """The checkout's set-up says its line, then a library speaks on stderr, as pip and
    TensorFlow do on a first run; then the real set-up (a no-op once .venv is current)."""
    (checkout.root / "scripts").unlink()
    scripts = checkout.root / "scripts"
    scripts.mkdir()
    setup = scripts / "setup.sh"
    setup.write_text(
        "#!/usr/bin/env bash\n"
        "echo 'setup: converting weights'\n"
        "echo 'W0000 absl: All log messages before absl::InitializeLog()' >&2\n"
        f"[ {exit_status} = 0 ] || exit {exit_status}\n"
        f"exec {REPO / 'scripts' / 'setup.sh'}\n",
        encoding="utf-8",
    )
    setup.chmod(0o755)


def test_set_up_noise_is_kept_in_runs_setup_log(online_checkout, toys_dir, three_class_set):
    _noisy_setup(online_checkout, 0)
    result = online_checkout.run(*_args(toys_dir / "constant", three_class_set))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("setup: converting weights\n")
    assert "absl" not in result.stdout + result.stderr
    setup_log = online_checkout.root / "runs" / "setup.log"
    assert "absl::InitializeLog" in setup_log.read_text(encoding="utf-8")


def test_a_failed_set_up_shows_its_log_and_keeps_its_status(
    online_checkout, toys_dir, three_class_set
):
    _noisy_setup(online_checkout, 3)
    result = online_checkout.run(*_args(toys_dir / "constant", three_class_set))
    assert result.returncode == 3
    assert result.stderr.startswith("run_online: set-up failed (exit 3); the end of its log ")
    assert "absl::InitializeLog" in result.stderr
    assert not (online_checkout.root / "runs").exists()
