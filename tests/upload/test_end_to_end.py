"""A real online run of a toy, then `package`: the report's hash is the tarball's content."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

from harness.cli.main import main
from harness.data.demo import make_image_set
from harness.package import content_hash

TOYS = Path(__file__).resolve().parents[1] / "toys"


def test_simulate_online_then_package(tmp_path: Path, capsys) -> None:
    toy = Path(shutil.copytree(TOYS / "centroid", tmp_path / "toy"))
    data = make_image_set(tmp_path / "data", ["cardboard", "纸箱", "glass"], 20, size=32)
    runs, out = tmp_path / "runs", tmp_path / "dist"
    common = ["--submission", str(toy), "--data", str(data), "--runs-dir", str(runs)]
    assert main(["simulate", "--profile", "smoke", *common]) == 0
    package = ["package", "--submission", str(toy), "--runs", str(runs), "--out", str(out)]
    assert main(package) == 2
    assert "its profile is 'smoke', not 'online'" in capsys.readouterr().err

    assert main(["simulate", "--profile", "online", "--set", "train_gpu=0", *common]) == 0
    capsys.readouterr()
    assert main([*package, "--layout", "contest"]) == 0
    said = capsys.readouterr().out
    assert "passed online in run" in said
    assert "note: that run passed with train_gpu = 0 (the online profile says 1)" in said
    assert "note: that run passed with the data was scaled down to" in said
    (tarball,) = out.glob("toy-centroid-*-contest.tar.gz")
    assert content_hash(toy)[:12] in tarball.name
    with tarfile.open(tarball) as tar:
        index = tar.extractfile("python_package/class_index.txt").read().decode("utf-8")
    assert index == "cardboard 0\nglass 1\n纸箱 2\n"
