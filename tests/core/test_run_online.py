"""./run_online.sh for real, in a temporary copy of the repository: the run, then packaging."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What the script needs beside itself; linked, so set-up finds .venv and its stamp as they are.
LINKED = (".venv", "pyproject.toml", "scripts", "docker", "submission")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """run_online.sh in a fresh folder, so its runs/ and dist/ land there, not in the repo."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy2(REPO / "run_online.sh", root / "run_online.sh")
    for name in LINKED:
        (root / name).symlink_to(REPO / name)
    return root


def run_online(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ONLINESIM_DOCKER_IMAGE"}
    return subprocess.run(
        [str(root / "run_online.sh"), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _args(toy: Path, data: Path, *extra: str) -> list[str]:
    return ["--runner", "process", "--submission", str(toy), "--data", str(data), *extra]


def test_a_smoke_pass_says_packaging_needs_an_online_pass(checkout, toys_dir, three_class_set):
    result = run_online(checkout, *_args(toys_dir / "constant", three_class_set))
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last == (
        "run_online: not packaged: packaging needs a pass under the online profile; run "
        f"./run_online.sh --profile online --submission {toys_dir / 'constant'} "
        f"--data {three_class_set}"
    )
    assert not (checkout / "dist").exists()
    assert len(list((checkout / "runs").glob("*-smoke-*/report.json"))) == 1


def test_an_online_pass_is_packaged(checkout, toys_dir, three_class_set):
    result = run_online(
        checkout, *_args(toys_dir / "constant", three_class_set, "--profile=online")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"run_online: packaged: {checkout / 'dist' / 'toy-constant-'}")
    (tarball,) = (checkout / "dist").glob("toy-constant-*.tar.gz")
    assert tarball.with_name(tarball.name + ".sha256").is_file()


def test_a_failed_run_keeps_its_status_and_is_not_packaged(checkout, toys_dir, three_class_set):
    result = run_online(
        checkout, *_args(toys_dir / "no_model", three_class_set, "--profile", "online")
    )
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "run_online: " not in result.stdout.splitlines()[-1]
    assert not (checkout / "dist").exists()


def test_an_online_pass_that_packaging_refuses_says_why_in_one_line(
    checkout, tmp_path, toys_dir, three_class_set
):
    """A link that leaves the package runs fine but cannot be uploaded."""
    toy = shutil.copytree(toys_dir / "constant", tmp_path / "linked")
    (toy / "notes.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "outside.txt").write_text("not in the package", encoding="utf-8")
    result = run_online(checkout, *_args(toy, three_class_set, "--profile", "online"))
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last == (
        "run_online: not packaged: onlinesim: error: the submission holds things that "
        "cannot be packaged:"
    )
    assert not (checkout / "dist").exists()
