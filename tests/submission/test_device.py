"""The batch size under a GPU memory limit: extrapolated from two measured peaks."""

import json
import time
from pathlib import Path

import numpy as np
from garbage import device
from garbage.budget import Budget
from garbage.config import TrainConfig
from garbage.metrics import MetricsLog
from garbage.training import Trainer

from harness.data.demo import make_image_set

MIB = 2**20


def test_the_largest_power_of_two_whose_extrapolated_peak_fits_the_share():
    # 1 GiB fixed + 50 MiB per image; 70 % of 8 GiB leaves room for 94 images
    peaks = {8: 1024 * MIB + 8 * 50 * MIB, 16: 1024 * MIB + 16 * 50 * MIB}
    assert device.batch_for_memory(peaks, 8 * 1024 * MIB, ceiling=128) == 64
    assert device.batch_for_memory(peaks, 8 * 1024 * MIB, ceiling=32) == 32
    assert device.batch_for_memory(peaks, 16 * 1024 * MIB, ceiling=128) == 128


def test_a_limit_nothing_fits_gives_batch_one_and_flat_peaks_the_ceiling():
    peaks = {8: 900 * MIB, 16: 1000 * MIB}  # 800 MiB fixed: over 70 % of 1 GiB alone
    assert device.batch_for_memory(peaks, 1024 * MIB, ceiling=128) == 1
    assert device.batch_for_memory({8: 500 * MIB, 16: 500 * MIB}, 1024 * MIB, 128) == 128


def test_the_probe_measures_the_smaller_batch_first_and_extrapolates():
    """The peak function is injected: 1 GiB fixed and 50 MiB an image, as the batch ran."""
    ran = []

    def peak(run):
        run()
        return 1024 * MIB + ran[-1] * 50 * MIB

    batch, peaks = device.probed_batch(ran.append, 100, 8 * 1024 * MIB, ceiling=128, peak=peak)
    assert ran == [8, 16]
    assert peaks == {8: 1424 * MIB, 16: 1824 * MIB}
    assert batch == 64


def test_a_data_set_smaller_than_the_probe_keeps_the_plans_batch():
    ran = []
    assert device.probed_batch(ran.append, 10, 2**30, ceiling=128) == (128, {})
    assert ran == []


def _trainer_under_a_gpu_limit(tmp_path, monkeypatch) -> tuple[Trainer, Path]:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=10, size=40)
    config = TrainConfig(backbones=["tiny"], pretrained=False, aug_copies=0, head_epochs=1)
    metrics = tmp_path / "metrics.jsonl"
    trainer = Trainer(
        config,
        data,
        tmp_path / "model",
        Budget(time.time() + 600, 0.0),
        MetricsLog(str(metrics)),
        tmp_path / "none",
        gpu_memory_limit_bytes=2**30,
    )
    return trainer, metrics


def _batch_lines(metrics: Path) -> list[dict]:
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    return [line for line in lines if line["stage"] == "batch"]


def test_a_trainer_under_a_gpu_limit_says_which_batch_it_chose(tmp_path, monkeypatch):
    """On a CPU nothing is probed: the line says so and the plan's batch stays."""
    trainer, metrics = _trainer_under_a_gpu_limit(tmp_path, monkeypatch)
    trainer.run()
    chosen = _batch_lines(metrics)
    assert [(c["backbone"], c["batch"], c["probe_peak_bytes"]) for c in chosen] == [
        ("tiny", device.CPU_BATCH, {})
    ]
    assert chosen[0]["gpu_memory_limit_bytes"] == 2**30


def test_on_a_gpu_the_trainer_probes_its_real_feature_model(tmp_path, monkeypatch):
    """The GPU branch on this CPU: the peak function is injected and reads the batch off
    the feature model's real output (1 GiB fixed, 50 MiB an image)."""
    trainer, metrics = _trainer_under_a_gpu_limit(tmp_path, monkeypatch)
    trainer.device = device.Device("gpu")

    def peak(run) -> int:
        return 1024 * MIB + len(np.asarray(run())) * 50 * MIB

    trainer.gpu_peak_bytes = peak
    trainer.run()
    (chosen,) = _batch_lines(metrics)
    assert chosen["probe_peak_bytes"] == {"8": 1424 * MIB, "16": 1824 * MIB}
    assert chosen["batch"] == 1  # 1 GiB fixed alone is over 70 % of the 1 GiB limit
