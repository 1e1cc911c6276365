"""Steps that compile (jax compiles each new shape) start only when they fit.

Seen on an H100 under jax: timing the second backbone compiled for longer
than the smoke budget had left, and the harness stopped training. The plan
now estimates such steps from building and timing the first backbone.
"""

import time

from garbage import backbones
from garbage.budget import Budget
from garbage.config import TrainConfig
from garbage.metrics import MetricsLog
from garbage.training import PROBE_SCALE, Trainer

from harness.data.demo import make_image_set


def _trainer(tmp_path, seconds_left: float) -> Trainer:
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=4, size=32)
    config = TrainConfig(backbones=["tiny", "tiny"], pretrained=False, aug_copies=0)
    budget = Budget(time.time() + seconds_left, 0.0)
    metrics = MetricsLog(str(tmp_path / "metrics.jsonl"))
    return Trainer(config, data, tmp_path / "model", budget, metrics, tmp_path / "none")


def test_a_later_backbone_is_not_built_when_its_probe_would_not_fit(tmp_path, monkeypatch):
    trainer = _trainer(tmp_path, seconds_left=100.0)
    trainer.first_probe_s = 60.0  # twice that is more than half of what is left
    built = []
    monkeypatch.setattr(backbones, "build", lambda *args: built.append(args))

    assert trainer.add_member("tiny", first=False) is None
    assert built == []


def test_the_first_probe_is_measured_and_a_later_one_fits_when_it_is_small(tmp_path):
    trainer = _trainer(tmp_path, seconds_left=600.0)

    first = trainer.add_member("tiny", first=True)
    assert first is not None and trainer.first_probe_s > 0.0
    trainer.first_probe_s = 1.0  # what a tiny backbone takes, without depending on this machine

    assert trainer.add_member("tiny", first=False) is not None


def test_fine_tuning_waits_for_time_to_compile_its_step(tmp_path, capsys):
    trainer = _trainer(tmp_path, seconds_left=600.0)
    member = trainer.add_member("tiny", first=True)
    trainer.export_s = 0.1
    trainer.first_probe_s = 10.0

    assert not trainer.fine_tune(member, seconds=PROBE_SCALE * 10.0 - 1.0)
    assert "no fine-tuning" in capsys.readouterr().err
