"""End to end through the CLI: toys on generated sets and on the real photos."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from phase_support import seen_by_toy

from harness.cli.commands.simulate import add_arguments
from harness.cli.main import main
from harness.cli.options import settings_from_args
from harness.data.image_reads import file_sha256
from harness.package import content_hash
from harness.package.provenance import Provenance, TrainedImage
from harness.phases.outcome import PhaseOutcome
from harness.report.document import summary_text
from harness.run.simulate import RunObserver, simulate
from harness.runners import RUNNERS
from harness.runners.base import ResourceSample
from harness.runners.process.runner import ProcessRunner
from harness.settings.config import resolve_config
from harness.settings.run_layout import RunLayout

REPO = Path(__file__).resolve().parents[2]


def run_cli(capsys, runs: Path, *args: str) -> tuple[int, dict | None, str]:
    """Run `onlinesim simulate` in-process; return the code, the report it wrote and stdout.

    The new report is the one that was not there before: two runs in the same
    second sort by their random suffix, not by time.
    """
    before = set(runs.glob("*/report.json"))
    code = main(["simulate", "--runs-dir", str(runs), *args])
    out = capsys.readouterr().out
    reports = sorted(set(runs.glob("*/report.json")) - before)
    assert len(reports) <= 1
    report = json.loads(reports[0].read_text(encoding="utf-8")) if reports else None
    return code, report, out


def smoke(toy: Path, data: Path) -> list[str]:
    return [
        "--submission",
        str(toy),
        "--data",
        str(data),
        "--profile",
        "smoke",
        "--runner",
        "process",
    ]


def test_constant_toy_passes_and_scores_one_in_three(capsys, tmp_path, toys_dir, three_class_set):
    code, report, out = run_cli(
        capsys, tmp_path / "runs", *smoke(toys_dir / "constant", three_class_set)
    )
    assert code == 0 and report is not None
    assert report["verdict"] == {"passed": True, "reasons": []}
    assert report["phases"]["train"]["status"] == "ok" == report["phases"]["predict"]["status"]
    assert report["data"]["train_images"] == 36 and report["data"]["test_images"] == 18
    assert report["score"]["accuracy"] == pytest.approx(33.333)
    assert report["score"]["per_class"]["circle"]["accuracy"] == 100.0
    assert "PASSED" in out and "33.33" in out
    run_dir = tmp_path / "runs" / report["run_id"]
    for name in report["files"].values():
        assert (run_dir / name).is_file(), name
    assert not (run_dir / "work").exists() and not (run_dir / "scratch").exists()
    with RunLayout(run_dir).answer_key.open(encoding="utf-8") as handle:
        key = {row["id"]: row["label"] for row in csv.DictReader(handle)}
    assert sorted(p.stem for p in RunLayout(run_dir).stage_test.iterdir()) == sorted(key)
    config = json.loads(RunLayout(run_dir).config.read_text(encoding="utf-8"))
    assert {k: config[k] for k in ("train_images", "seed", "runner")} == {
        "train_images": 36,
        "seed": 0,
        "runner": "process",
    }
    assert report["submission"]["name"] == "toy-constant"
    assert len(report["submission"]["content_sha256"]) == 64


def test_centroid_toy_learns_the_generated_classes(capsys, tmp_path, toys_dir, three_class_set):
    code, report, _ = run_cli(
        capsys, tmp_path / "runs", *smoke(toys_dir / "centroid", three_class_set)
    )
    assert code == 0 and report["score"]["accuracy"] >= 80.0
    assert report["score"]["latency_ms"]["count"] == 18


def test_chinese_class_names_round_trip(capsys, tmp_path, toys_dir, chinese_set):
    code, report, out = run_cli(
        capsys, tmp_path / "runs", *smoke(toys_dir / "centroid", chinese_set)
    )
    assert code == 0
    assert report["data"]["classes"] == sorted(report["data"]["classes"])
    assert "充电器" in report["data"]["classes"] and "充电器" in report["score"]["per_class"]
    run_dir = tmp_path / "runs" / report["run_id"]
    assert "充电器" in RunLayout(run_dir).report.read_text(encoding="utf-8")  # not \u-escaped
    with RunLayout(run_dir).predictions.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["true"] for row in rows} <= set(report["data"]["classes"])
    assert sum(row["predicted"] == row["true"] for row in rows) == report["score"]["correct"]
    assert report["score"]["accuracy"] >= 60.0


def test_failed_training_still_gives_a_full_report(capsys, tmp_path, toys_dir, three_class_set):
    code, report, out = run_cli(
        capsys, tmp_path / "runs", *smoke(toys_dir / "no_model", three_class_set)
    )
    assert code == 1 and "FAILED" in out
    assert report["phases"]["train"]["status"] == "no_model_exported"
    assert report["phases"]["predict"]["status"] == "not_run"
    assert report["score"]["total"] == 18 and report["score"]["correct"] == 0
    assert report["verdict"]["passed"] is False
    assert report["verdict"]["reasons"][0].startswith("train: no_model_exported")


def test_crash_midway_scores_the_answers_given(capsys, tmp_path, toys_dir, three_class_set):
    code, report, _ = run_cli(
        capsys, tmp_path / "runs", *smoke(toys_dir / "crash_midway", three_class_set)
    )
    assert code == 1 and report["phases"]["predict"]["status"] == "crashed"
    assert report["score"]["answered"] == 3 and report["score"]["total"] == 18
    assert report["score"]["correct"] <= 3
    assert sum(report["score"]["confusion"]["unanswered"]) == 15


def test_answer_key_is_out_of_reach(capsys, tmp_path, toys_dir, three_class_set):
    runs = tmp_path / "runs"
    run_cli(capsys, runs, *smoke(toys_dir / "constant", three_class_set))  # a key beside
    code, report, _ = run_cli(capsys, runs, *smoke(toys_dir / "reads_answer_key", three_class_set))
    assert code == 0 and report["score"]["accuracy"] == pytest.approx(33.333)


def test_manifest_env_reaches_the_phase(capsys, tmp_path, toys_dir, three_class_set):
    """too_slow sleeps TOY_SLEEP_S before each answer: set to 0 by its manifest, it passes."""
    toy = tmp_path / "too_slow"
    shutil.copytree(toys_dir / "too_slow", toy)
    manifest = toy / "submission.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + 'env = { TOY_SLEEP_S = "0" }\n', encoding="utf-8")
    assert text.rstrip().endswith('command = ["python", "predict.py"]')

    code, report, _ = run_cli(capsys, tmp_path / "runs", *smoke(toy, three_class_set))

    assert code == 0, report["verdict"]
    assert report["phases"]["predict"]["status"] == "ok"


def test_time_scale_is_applied_and_stated(capsys, tmp_path, toys_dir, three_class_set):
    args = smoke(toys_dir / "constant", three_class_set)
    code, report, out = run_cli(capsys, tmp_path / "runs", *args, "--time-scale", "2")
    assert code == 0 and report["time_scale"] == 2.0
    assert report["phases"]["train"]["limit_s"] == 120.0
    predict = report["phases"]["predict"]
    assert predict["limit_s"] is None  # predict has no phase budget: its limits are in details
    assert predict["details"]["per_image_limit_s"] == 1.0
    assert predict["details"]["setup_limit_s"] == 120.0
    assert report["score"]["latency_ms"]["limit"] == 1000.0
    assert "time scale 2" in out


def test_the_disk_limit_setting_stops_a_phase_as_out_of_disk(
    capsys, tmp_path, toys_dir, three_class_set
):
    toy = tmp_path / "fills_disk"
    shutil.copytree(toys_dir / "hostile" / "output_and_disk", toy)
    manifest = toy / "submission.toml"
    text = manifest.read_text().replace(
        'command = ["python", "train.py"]',
        'command = ["python", "train.py"]\nenv = { TOY_DO = "fill_disk" }',
    )
    manifest.write_text(text)
    args = smoke(toy, three_class_set)
    code, report, _ = run_cli(capsys, tmp_path / "runs", *args, "--set", "disk_limit_mb=16")
    assert code != 0 and report["profile"]["disk_limit_mb"] == 16
    assert report["phases"]["train"]["status"] == "out_of_disk"
    notes = report["runner"]["enforcement"]["notes"]
    assert any(note.startswith("disk:") and "16 MiB" in note for note in notes)


def test_gpu_memory_limit_and_peaks_are_in_the_report(capsys, tmp_path, toys_dir, three_class_set):
    args = smoke(toys_dir / "constant", three_class_set)
    code, report, _ = run_cli(capsys, tmp_path / "runs", *args, "--set", "gpu_memory_limit_mb=64")
    assert code == 0 and report["profile"]["gpu_memory_limit_mb"] == 64
    for phase in report["phases"].values():
        assert phase["gpu_memory_limit_bytes"] == 64 * 2**20
        assert "peak_gpu_memory_bytes" in phase
    enforced = report["runner"]["enforcement"]["gpu_memory"]
    assert enforced is any(
        n.startswith("gpu memory: ") for n in report["runner"]["enforcement"]["notes"]
    )


def test_each_phase_gets_its_own_gpu_and_cpus(capsys, tmp_path, toys_dir, three_class_set):
    """The contest's split: train on the GPU, predict on a few CPUs without one."""
    args = smoke(toys_dir / "constant", three_class_set)
    sets = ("train_gpu=1", "predict_gpu=0", "predict_cpus=1")
    code, report, _ = run_cli(capsys, tmp_path / "runs", *args, *(f"--set={s}" for s in sets))
    assert code == 0
    assert {k: report["profile"][k] for k in ("train_gpu", "predict_gpu", "predict_cpus")} == {
        "train_gpu": 1,
        "predict_gpu": 0,
        "predict_cpus": 1,
    }
    every_cpu = sorted(os.sched_getaffinity(0))
    train = report["phases"]["train"]["details"]["resources"]
    predict = report["phases"]["predict"]["details"]["resources"]
    assert train == {"gpu": True, "cpus": every_cpu}
    assert predict == {"gpu": False, "cpus": every_cpu[:1]}
    notes = report["runner"]["enforcement"]["notes"]
    assert f"predict: cpus: pinned to {every_cpu[0]}" in " ".join(notes)


def test_predict_sees_no_gpu_and_only_its_cpus(capsys, tmp_path, toys_dir, three_class_set):
    """A toy reports what each phase sees: the online profile's predict side (no GPU, a
    CPU count below the machine's) reaches the program itself, not just the report."""
    args = smoke(toys_dir / "reports_resources", three_class_set)
    sets = ("train_gpu=1", "predict_gpu=0", "predict_cpus=1")
    code, report, out = run_cli(capsys, tmp_path / "runs", *args, *(f"--set={s}" for s in sets))
    assert code == 0, out
    (run,) = (tmp_path / "runs").glob("*/report.json")
    every_cpu = sorted(os.sched_getaffinity(0))
    train = seen_by_toy(RunLayout(run.parent).log("train"))
    predict = seen_by_toy(RunLayout(run.parent).log("predict"))
    assert train["cpus"] == every_cpu
    assert predict == {"cpus": every_cpu[:1], "cuda_visible_devices": "", "nvidia_devices": []}


def test_more_cpus_than_the_machine_has_is_said(capsys, tmp_path, toys_dir, three_class_set):
    args = smoke(toys_dir / "constant", three_class_set)
    code, report, _ = run_cli(capsys, tmp_path / "runs", *args, "--set", "predict_cpus=4096")
    assert code == 0
    predict = report["phases"]["predict"]["details"]["resources"]
    assert predict["cpus"] == sorted(os.sched_getaffinity(0))
    assert predict["note"].startswith("asked for 4096 CPUs, but the harness may use only")


def test_observer_hears_every_phase_and_sample(tmp_path, toys_dir, three_class_set):
    class Recorder(RunObserver):
        def __init__(self) -> None:
            self.events: list[tuple] = []
            self.samples = 0

        def phase_started(self, name: str, limit_s: float | None) -> None:
            self.events.append(("start", name, limit_s))

        def sample(self, phase: str, sample: ResourceSample) -> None:
            self.samples += 1

        def answered(self, done: int, total: int) -> None:
            self.events.append(("answered", done, total))

        def phase_ended(self, outcome: PhaseOutcome) -> None:
            self.events.append(("end", outcome.phase, outcome.status.value))

    config = resolve_config(
        {
            "submission": str(toys_dir / "centroid"),
            "data": str(three_class_set),
            "profile": "smoke",
            "runs_dir": str(tmp_path / "runs"),
        }
    )
    recorder = Recorder()
    result = simulate(config, recorder)
    assert result.passed
    answered = [("answered", done, 18) for done in range(1, 19)]
    assert recorder.events == [
        ("start", "train", 60.0),
        ("end", "train", "ok"),
        ("start", "predict", None),
        *answered,  # live, one per answer, while predict runs
        ("end", "predict", "ok"),
    ]
    lines = result.layout.resources.read_text(encoding="utf-8").splitlines()
    assert len(lines) == recorder.samples
    for line in lines:
        sample = json.loads(line)
        assert set(sample) == {
            "t",
            "phase",
            "memory_bytes",
            "cpu_percent",
            "gpu_memory_bytes",
            "gpu_utilization",
        }
        assert sample["phase"] in ("train", "predict") and sample["t"] >= 0


class SlowToPrepare(ProcessRunner):
    """The process runner with a preparation longer than the train budget (as a docker build)."""

    name = "slow-to-prepare"
    prepare_s = 2.0

    def prepare(self, spec):
        time.sleep(self.prepare_s)
        return f"{spec.phase} ready"


def test_a_failing_sample_callback_is_reported(capsys, tmp_path, toys_dir, three_class_set):
    class Broken(RunObserver):
        def sample(self, phase: str, sample: ResourceSample) -> None:
            raise RuntimeError(f"a bug in the {phase} observer")

    config = resolve_config(
        {
            "submission": str(toys_dir / "constant"),
            "data": str(three_class_set),
            "profile": "smoke",
            "runs_dir": str(tmp_path / "runs"),
        }
    )
    result = simulate(config, Broken())
    assert result.passed  # the run goes on; only its trace is short
    for phase in ("train", "predict"):
        error = f"RuntimeError: a bug in the {phase} observer"
        assert result.report["phases"][phase]["details"]["sample_error"] == error
        warning = f"{phase}: resource samples stopped early, the sample callback failed ({error})"
        assert any(w.startswith(warning) for w in result.report["warnings"])
    assert "warning: train: resource samples stopped early" in summary_text(result.report)


def test_preparation_runs_before_the_clock_and_is_reported(
    monkeypatch, tmp_path, toys_dir, three_class_set
):
    monkeypatch.setitem(RUNNERS, SlowToPrepare.name, lambda: SlowToPrepare)
    config = resolve_config(
        {
            "submission": str(toys_dir / "constant"),
            "data": str(three_class_set),
            "profile": "smoke",
            "runs_dir": str(tmp_path / "runs"),
            "train_budget_s": 1.5,
        }
    )
    result = simulate(config, runner_choice=(SlowToPrepare.name, "asked for"))
    assert result.passed, result.report["verdict"]
    assert "s preparing, not charged)" in summary_text(result.report).splitlines()[2]
    for name in ("train", "predict"):
        details = result.report["phases"][name]["details"]
        assert details["prepared"] == f"{name} ready"
        assert details["prepare_s"] >= SlowToPrepare.prepare_s
    assert result.report["phases"]["train"]["wall_s"] < SlowToPrepare.prepare_s


def test_set_options_lose_to_explicit_flags() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--set", "seed=3", "--set", "grace_s=1", "--seed", "9"])
    assert settings_from_args(args) == {"seed": 9, "grace_s": 1}


def test_runs_inside_the_package_are_not_its_content(capsys, tmp_path, toys_dir, three_class_set):
    """Run from inside a package: the runs folder stays out of the hash and the phase copies."""
    package = shutil.copytree(toys_dir / "constant", tmp_path / "package")
    hashes = []
    for runs in (package / "runs", package / "runs", package / "rehearsals"):
        code, report, _ = run_cli(capsys, runs, *smoke(package, three_class_set))
        assert code == 0
        hashes.append(report["submission"]["content_sha256"])
    assert (package / "runs").is_dir() and (package / "rehearsals").is_dir()
    assert hashes == [content_hash(package, leave_out=(package / "rehearsals",))] * 3


def _leaky_submission(toys_dir: Path, data: Path, tmp_path: Path) -> Path:
    """The constant toy with pretraining provenance that lists every image of the set."""
    submission = shutil.copytree(toys_dir / "constant", tmp_path / "leaky")
    images = [
        TrainedImage(file_sha256(p), p.parent.name, str(p)) for p in sorted(data.rglob("*.jpg"))
    ]
    Provenance(
        created="now",
        run_id="pretrain-run",
        profile="pretrain",
        data_dir=str(data),
        holdout={},
        config={},
        submission_content_sha256="0" * 64,
        starting_weights={},
        images=images,
    ).write(submission)
    return submission


def test_leakage_is_refused_or_loudly_allowed(capsys, tmp_path, toys_dir, three_class_set):
    leaky = _leaky_submission(toys_dir, three_class_set, tmp_path)
    runs = tmp_path / "runs"
    code = main(["simulate", "--runs-dir", str(runs), *smoke(leaky, three_class_set)])
    assert code == 2 and "inflated" in capsys.readouterr().err and not runs.exists()
    code, report, out = run_cli(capsys, runs, *smoke(leaky, three_class_set), "--allow-leakage")
    assert code == 0 and report["warnings"][0].startswith("LEAKAGE")
    assert "warning: LEAKAGE" in out


def _subprocess(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


def test_bad_manifest_is_a_clear_message_and_exit_2(tmp_path, three_class_set):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "submission.toml").write_text('name = "x"\n[train]\ncommand = "go"\n', encoding="utf-8")
    result = _subprocess("simulate", *smoke(bad, three_class_set), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("onlinesim: error:") and "[train].command" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "runs").exists()


def test_bad_data_folder_is_a_clear_message_and_exit_2(tmp_path, toys_dir):
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "photo.jpg").write_bytes(b"not really")
    result = _subprocess("simulate", *smoke(toys_dir / "constant", flat), cwd=tmp_path)
    assert result.returncode == 2 and "has no class folders" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_smoke_run_on_the_real_photos_passes(capsys, tmp_path, toys_dir, trashnet_dir):
    code, report, _ = run_cli(
        capsys, tmp_path / "runs", *smoke(toys_dir / "centroid", trashnet_dir)
    )
    assert code == 0 and report["verdict"]["passed"]
    assert report["data"]["classes"] == ["cardboard", "glass", "metal", "paper", "plastic", "trash"]
    assert report["data"]["holdout"]["reserve_images"] == 252
    assert report["score"]["total"] == 18 and report["score"]["latency_ms"]["over_limit"] == 0


def test_error_type_table_prices_the_mistakes(capsys, tmp_path, toys_dir):
    from harness.data.demo import make_image_set

    data = make_image_set(tmp_path / "set", ["充电器", "充电线", "拖把"], 60, size=32)
    (data / "error_types.csv").write_text(
        "true,predicted,weight\n充电线,充电器,0.1\n拖把,充电器,0.6\n", encoding="utf-8"
    )
    code, report, out = run_cli(capsys, tmp_path / "runs", *smoke(toys_dir / "constant", data))
    # the constant toy answers 充电器 (first in sorted order) for all 18 = 3 x 6 images
    assert code == 0 and report["score"]["accuracy"] == pytest.approx(33.333)
    cost = report["score"]["error_cost"]
    assert cost["mean"] == pytest.approx((6 * 0.1 + 6 * 0.6) / 18, abs=1e-4)
    assert cost["rows"] == 2 and cost["table"].endswith("error_types.csv")
    assert "per image (error-type table)" in out


SCRIBBLER_TRAIN = """\
import os, pathlib
here = pathlib.Path(os.getcwd())
(here / "train.py").write_text("# overwritten by the phase\\n")
(here / "touched.txt").write_text("x")
for name in ("TMPDIR", "HOME"):
    pathlib.Path(os.environ[name], "left.txt").write_text("x")
model = pathlib.Path(os.environ["MODEL_INFERENCE_PATH"])
(model / "label.txt").write_text(sorted(os.listdir(os.environ["IMAGE_TRAIN_INPUT_PATH"]))[0])
print("cwd", os.getcwd(), "tmp", os.environ["TMPDIR"], flush=True)
"""


def test_phases_work_on_a_copy_and_their_scratch_is_deleted(
    capsys, tmp_path, toys_dir, three_class_set
):
    user = shutil.copytree(toys_dir / "constant", tmp_path / "mine")
    (user / "train.py").write_text(SCRIBBLER_TRAIN, encoding="utf-8")
    (user / "__pycache__").mkdir()
    (user / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    before = {p.relative_to(user): p.read_bytes() for p in user.rglob("*") if p.is_file()}
    code, report, _ = run_cli(capsys, tmp_path / "runs", *smoke(user, three_class_set))
    assert code == 0, report["phases"]["train"]["reason"]
    after = {p.relative_to(user): p.read_bytes() for p in user.rglob("*") if p.is_file()}
    assert after == before  # nothing the user owns was changed or added
    log = RunLayout(tmp_path / "runs" / report["run_id"]).log("train").read_text(encoding="utf-8")
    cwd, tmp = log.split("cwd ", 1)[1].split()[0], log.split(" tmp ", 1)[1].split()[0]
    assert Path(cwd) != user.resolve() and not Path(cwd).exists() and not Path(tmp).exists()


def test_labelled_originals_and_other_runs_are_out_of_sight(
    capsys, tmp_path, toys_dir, three_class_set
):
    runs = tmp_path / "runs"
    run_cli(capsys, runs, *smoke(toys_dir / "constant", three_class_set))  # another run's key
    peeker = shutil.copytree(toys_dir / "constant", tmp_path / "peeker")
    probes = [three_class_set / "circle", *runs.glob("*/answer_key.csv"), peeker / "train.py"]
    train = (peeker / "train.py").read_text(encoding="utf-8")
    train += "".join(
        f"print('visible' if os.path.exists({str(p)!r}) else 'hidden')\n" for p in probes
    )
    (peeker / "train.py").write_text(train, encoding="utf-8")
    code, report, _ = run_cli(capsys, runs, *smoke(peeker, three_class_set))
    assert code == 0
    log = RunLayout(runs / report["run_id"]).log("train").read_text(encoding="utf-8")
    seen = [line for line in log.splitlines() if line in ("visible", "hidden")]
    notes = " ".join(report["runner"]["enforcement"]["notes"])
    if "files: an allow-list" in notes:
        assert seen == ["hidden"] * 3
    else:  # said plainly in the report, where this machine cannot sandbox the phase
        assert seen == ["visible"] * 3 and "files: NOT protected" in notes


def test_runs_folder_inside_the_package_is_not_copied_into_the_phase(
    capsys, tmp_path, toys_dir, three_class_set
):
    package = shutil.copytree(toys_dir / "constant", tmp_path / "pkg")
    with (package / "train.py").open("a", encoding="utf-8") as handle:
        handle.write("print('runs copied' if os.path.exists('runs') else 'no runs here')\n")
    runs = package / "runs"
    run_cli(capsys, runs, *smoke(package, three_class_set))
    code, report, _ = run_cli(capsys, runs, *smoke(package, three_class_set))
    assert code == 0 and len(list(runs.iterdir())) == 2
    log = RunLayout(runs / report["run_id"]).log("train").read_text(encoding="utf-8")
    assert "no runs here" in log


def test_ctrl_c_stops_the_phase_and_everything_it_started(tmp_path, toys_dir, three_class_set):
    runs = tmp_path / "runs"
    argv = [
        "simulate",
        "--runs-dir",
        str(runs),
        *smoke(toys_dir / "sleep_forever", three_class_set),
    ]
    harness = subprocess.Popen(
        [sys.executable, "-m", "harness", *argv],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    said_pids = False
    while not said_pids and time.monotonic() < deadline:
        said_pids = any(
            "grandchild pid" in log.read_text(encoding="utf-8")
            for log in runs.glob("*/logs/train.log")
        )
        time.sleep(0.1)
    assert said_pids, "the toy never started"
    tree = psutil.Process(harness.pid).children(recursive=True)
    assert len(tree) >= 2  # the toy and its grandchild (and any sandbox wrapper)
    harness.send_signal(signal.SIGINT)
    _, err = harness.communicate(timeout=30)
    assert harness.returncode == 130 and "interrupted" in err and "Traceback" not in err
    _, alive = psutil.wait_procs(tree, timeout=5)
    assert alive == []
