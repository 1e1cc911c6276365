"""Each export replaces the last one, and holds every member: choices made on a small
validation set are mostly noise (docs/benchmarks.md, "Dense head, paired flip TTA, and the
exit gap")."""

import json
import time

import numpy as np
from garbage.budget import Budget
from garbage.config import TrainConfig
from garbage.metrics import MetricsLog
from garbage.training import Trainer

from harness.data.demo import make_image_set


def _trainer(tmp_path) -> Trainer:
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=8, size=32)
    config = TrainConfig(backbones=["tiny"], pretrained=False, aug_copies=0, val_fraction=0.5)
    metrics = MetricsLog(str(tmp_path / "metrics.jsonl"))
    budget = Budget(time.time() + 600, 0.0)
    return Trainer(config, data, tmp_path / "model", budget, metrics, tmp_path / "none")


def test_a_later_stage_replaces_the_export_even_when_it_scores_lower(tmp_path):
    """A fine-tuned ensemble one validation image below the heads' best epoch was kept off
    disk by the old rule (margin run, seed 1), and so was every fine-tune of a dense head."""
    trainer = _trainer(tmp_path)
    member = trainer.add_member("tiny", first=True)
    trainer.members.append(member)
    labels = trainer.val_labels()
    right, wrong = np.eye(2)[labels], np.eye(2)[1 - labels]

    def export(probs, stage):
        member.val_probs, member.val_accuracy = probs, float(np.mean(probs.argmax(1) == labels))
        trainer.export(stage)
        return json.loads((tmp_path / "model" / "metadata.json").read_text())

    assert export(right, "head")["val_accuracy"] == 1.0
    meta = export(wrong, "finetune")
    assert (meta["stage"], meta["val_accuracy"]) == ("finetune", 0.0)
    assert trainer.exported_accuracy == 0.0  # what the done line reports: the model on disk
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [x["step"] for x in lines if x["stage"] == "export"] == ["head", "finetune"]


def test_every_member_is_exported_even_when_one_alone_scores_higher(tmp_path):
    """Picking one member on a small validation set is mostly noise; the ensemble stays."""
    trainer = _trainer(tmp_path)
    good, poor = (trainer.add_member("tiny", first=k == 0) for k in range(2))
    labels = trainer.val_labels()
    half = np.arange(len(labels)) < len(labels) // 2
    good.val_probs, good.val_accuracy = np.eye(2)[labels] * 0.2 + 0.4, 1.0  # right, unsure
    poor.val_probs = np.eye(2)[np.where(half, labels, 1 - labels)]  # sure, wrong on half
    poor.val_accuracy = 0.5
    trainer.members = [good, poor]

    trainer.export("ensemble")

    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert len(meta["members"]) == 2 and meta["val_accuracy"] < good.val_accuracy
