"""What the process runner's sandbox really enforces, checked from inside a phase."""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
from pathlib import Path

from harness.phases import run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits, Mount
from harness.runners.process.runner import ProcessRunner

PROBE_FILES = """
import os, sys
from pathlib import Path
for label, path in zip(sys.argv[1::2], sys.argv[2::2]):
    try:
        with open(path, "a") as handle:
            handle.write("changed")
        print(label, "written")
    except OSError as error:
        print(label, "refused", error.strerror)
Path(os.environ["MODEL_INFERENCE_PATH"], "model.bin").write_text("m")
"""


def _run_python(run_folder, runner, code: str, *args: str, **spec_changes):
    spec = run_folder.train_spec("constant")
    spec = dataclasses.replace(spec, command=("python", "-c", code, *args), **spec_changes)
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.exit_code == 0, outcome.log_tail
    return dict(line.split(" ", 1) for line in outcome.log_tail if " " in line)


def test_staged_hard_links_cannot_change_the_users_images(run_folder, runner, tmp_path):
    original = tmp_path / "my_photos" / "cardboard" / "mine.jpg"
    original.parent.mkdir(parents=True)
    original.write_bytes(b"the user's photo")
    staged = run_folder.train_dir / "cardboard" / "mine.jpg"
    os.link(original, staged)
    elsewhere = tmp_path / "elsewhere.txt"
    said = _run_python(
        run_folder,
        runner,
        PROBE_FILES,
        *("staged", str(staged)),
        *("elsewhere", str(elsewhere)),
        *("workdir", str(run_folder.package("constant") / "cache.txt")),
        *("relative", "relative.txt"),
        *("tmpdir", str(run_folder.scratch / "tmp" / "scratch.txt")),
    )
    assert said["staged"] == "refused Read-only file system"
    assert said["workdir"] == "written"
    assert said["relative"] == "written"
    assert said["tmpdir"] == "written"
    assert original.read_bytes() == b"the user's photo"
    assert not elsewhere.exists()
    assert (run_folder.model_dir / "model.bin").exists()


LIST_FOLDERS = """
import os, sys
for path in sys.argv[1:]:
    print(os.path.basename(path), sorted(os.listdir(path)) if os.path.isdir(path) else "absent")
"""


def test_hidden_folders_show_only_the_phases_own_mounts(run_folder, runner, tmp_path):
    data_set = tmp_path / "local_data" / "trash"
    (data_set / "cardboard").mkdir(parents=True)
    (data_set / "cardboard" / "a.jpg").write_bytes(b"x")
    said = _run_python(
        run_folder,
        runner,
        LIST_FOLDERS,
        str(data_set),
        str(run_folder.root.parent),
        str(run_folder.train_dir),
        hidden=(tmp_path / "local_data", run_folder.root.parent),
    )
    assert said["trash"] == "absent"
    assert said["runs"] == "['r1']"
    assert said["train"] == "['cardboard', 'glass', '纸箱']"
    assert (data_set / "cardboard" / "a.jpg").exists()


def test_environment_is_clean_and_uses_the_harness_python(run_folder, runner, monkeypatch):
    monkeypatch.setenv("HARNESS_ONLY_SECRET", "do-not-leak")
    code = (
        "import os, sys; print('secret', os.environ.get('HARNESS_ONLY_SECRET', 'none'));"
        " print('python', sys.executable); print('cuda', repr(os.environ['CUDA_VISIBLE_DEVICES']));"
        " print('profile', os.environ['ONLINESIM_PROFILE'])"
    )
    said = _run_python(run_folder, runner, code)
    assert said["secret"] == "none"
    assert Path(said["python"]).parent == Path(sys.executable).parent.resolve()
    assert said["cuda"] == "''"
    assert said["profile"] == "test"


def test_enforcement_says_what_holds_here(runner):
    enforced = runner.enforcement(Limits(memory_bytes=2**30, network=False))
    assert enforced.memory and enforced.network and enforced.read_only_data
    assert not enforced.gpu
    assert any("PSS" in note for note in enforced.notes)


def test_without_isolation_the_report_admits_the_network_is_open(run_folder):
    open_runner = ProcessRunner(isolate=False)
    enforced = open_runner.enforcement(Limits(network=False))
    assert enforced.network is False
    assert any("network: NOT cut" in note for note in enforced.notes)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"127.0.0.1:{server.getsockname()[1]}"
        spec = run_folder.train_spec("network", TOY_CONNECT_ADDR=address)
        outcome = run_train(open_runner, spec, 30, 1, run_folder.model_dir)
    assert outcome.status is Status.CRASHED


SEE_THE_HARNESS = """
import os, sys
harness = int(sys.argv[1])
try:
    os.kill(harness, 0)
    print("signal reached")
except ProcessLookupError:
    print("signal no-such-process")
print("procfs", "visible" if os.path.exists(f"/proc/{harness}") else "absent")
print("processes", sum(name.isdigit() for name in os.listdir("/proc")))
"""


def test_the_phase_cannot_see_or_signal_the_harness(run_folder, runner):
    said = _run_python(run_folder, runner, SEE_THE_HARNESS, str(os.getpid()))
    assert said["signal"] == "no-such-process"
    assert said["procfs"] == "absent"
    assert int(said["processes"]) <= 3  # the namespace's init, the program, nothing else
    assert any("PID namespace" in note for note in runner.enforcement(Limits()).notes)


READ_AND_WRITE = """
import sys
from pathlib import Path
print("file", Path(sys.argv[1]).read_text())
Path(sys.argv[2], "out.txt").write_text("written")
print("dir written")
print("secret", "visible" if Path(sys.argv[3]).exists() else "absent")
"""


def test_file_mount_and_missing_writable_folder_inside_a_hidden_one(run_folder, runner, tmp_path):
    settings = tmp_path / "hidden_place" / "settings.txt"
    settings.parent.mkdir()
    settings.write_text("visible")
    (tmp_path / "hidden_place" / "secret.txt").write_text("secret")
    assert tmp_path.resolve().is_relative_to(run_folder.hidden[0])
    metrics = tmp_path / "hidden_place" / "metrics"
    spec = run_folder.train_spec("constant")
    mounts = (*spec.mounts, Mount(settings), Mount(metrics, writable=True))
    secret = tmp_path / "hidden_place" / "secret.txt"
    arguments = (str(settings), str(metrics), str(secret))
    said = _run_python(run_folder, runner, READ_AND_WRITE, *arguments, mounts=mounts)
    assert said["file"] == "visible"
    assert said["dir"] == "written"
    assert said["secret"] == "absent"
    assert (metrics / "out.txt").read_text() == "written"
