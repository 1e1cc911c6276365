"""finetune_on_all: the fine-tune also trains on the validation images (plain and their
augmented copies), keeps its annealed last epoch, and the model it leaves claims no
validation figure."""

import json
import time

import numpy as np
from garbage import training
from garbage.budget import Budget
from garbage.config import TrainConfig
from garbage.metrics import MetricsLog
from garbage.training import Trainer

from harness.data.demo import make_image_set


def _trainer(tmp_path, on_all: bool) -> Trainer:
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=10, size=32)
    config = TrainConfig(
        backbones=["tiny"],
        pretrained=False,
        aug_copies=1,
        val_fraction=0.3,
        head_epochs=2,
        finetune_epochs=2,
        finetune_on_all=on_all,
    )
    metrics = MetricsLog(str(tmp_path / "metrics.jsonl"))
    budget = Budget(time.time() + 600, 0.0)
    return Trainer(config, data, tmp_path / "model", budget, metrics, tmp_path / "none")


def _lines(tmp_path, stage: str) -> list[dict]:
    rows = (tmp_path / "metrics.jsonl").read_text().splitlines()
    return [x for x in map(json.loads, rows) if x["stage"] == stage]


def test_without_it_the_validation_images_stay_out_of_training(tmp_path):
    trainer = _trainer(tmp_path, on_all=False)
    member = trainer.add_member("tiny", first=True)
    assert len(member.extra_act) == 0 and len(member.extra_y) == 0
    assert len(member.train_act) == 2 * len(trainer.train_idx)  # plain + 1 copy


def test_the_validation_images_and_their_copies_join_the_fine_tune(tmp_path, monkeypatch):
    trainer = _trainer(tmp_path, on_all=True)
    member = trainer.add_member("tiny", first=True)
    n_val, n_train = len(trainer.val_idx), len(trainer.train_idx)
    assert len(member.extra_act) == 2 * n_val  # plain + 1 copy
    assert member.extra_act.shape[1:] == member.train_act.shape[1:]
    np.testing.assert_array_equal(member.extra_act[:n_val], member.val_act)
    assert not np.array_equal(member.extra_act[n_val:], member.val_act)  # an augmented copy
    np.testing.assert_array_equal(member.extra_y.argmax(1), np.tile(trainer.val_labels(), 2))
    trainer.members.append(member)
    trainer.export("head")
    rows_seen = []

    class Spy(training._MixupBatches):
        def __init__(self, x, *args):
            rows_seen.append(len(x))
            super().__init__(x, *args)

    monkeypatch.setattr(training, "_MixupBatches", Spy)
    trainer.first_probe_s = 0.0

    assert trainer.fine_tune(member, seconds=60.0)
    trainer.export("finetune")

    assert rows_seen == [2 * (n_train + n_val)]
    assert not member.validated
    assert all(x["val_accuracy"] is None for x in _lines(tmp_path, "finetune"))
    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert (meta["stage"], meta["val_accuracy"]) == ("finetune", None)
    assert [x["val_accuracy"] is None for x in _lines(tmp_path, "export")] == [False, True]
    assert trainer.exported_accuracy is None
