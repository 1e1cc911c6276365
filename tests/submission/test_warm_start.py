"""Second transfer: a second training starts from the first one's export in weights/pretrained/."""

import json
import shutil
import time

import numpy as np
from garbage.budget import Budget
from garbage.config import TrainConfig
from garbage.metrics import MetricsLog
from garbage.training import Trainer
from garbage.warm_start import _weighted_layers

from harness.data.demo import make_image_set


def _config() -> TrainConfig:
    return TrainConfig(
        backbones=["tiny"], pretrained=False, aug_copies=0, head_epochs=3, finetune_epochs=1
    )


def _trainer(data, model_dir, pretrained_dir, metrics) -> Trainer:
    budget = Budget(time.time() + 600, 0.0)
    return Trainer(_config(), data, model_dir, budget, MetricsLog(str(metrics)), pretrained_dir)


def test_second_training_starts_from_pretrained_backbone(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    data = make_image_set(tmp_path / "data", ("a", "b", "纸箱"), per_class=6, size=40)
    first = _trainer(data, tmp_path / "m1", tmp_path / "none", tmp_path / "m1.jsonl")
    first.run()
    meta = json.loads((tmp_path / "m1" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["started_from"] == "random"
    pretrained = tmp_path / "pkg" / "weights" / "pretrained"
    shutil.copytree(tmp_path / "m1", pretrained)

    second = _trainer(data, tmp_path / "m2", pretrained, tmp_path / "m2.jsonl")
    spec_parts = []
    original_add = second.add_member

    def spy(name, first):
        member = original_add(name, first)
        spec_parts.append(member.parts)
        return member

    second.add_member = spy
    second.run()
    lines = [json.loads(x) for x in (tmp_path / "m2.jsonl").read_text().splitlines()]
    warm = [x for x in lines if x["stage"] == "warm_start"]
    assert warm and warm[0]["layers"] >= 3
    meta = json.loads((tmp_path / "m2" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["started_from"] == {"tiny": str(pretrained / "member0.keras")}
    # the frozen bottom is exactly the pretrained one
    got = {lay.name: lay.get_weights() for lay in _weighted_layers(spec_parts[0].bottom)}
    src = {lay.name: lay.get_weights() for lay in _weighted_layers(first.members[0].parts.bottom)}
    assert got.keys() == src.keys()
    for name in got:
        for a, b in zip(got[name], src[name], strict=True):
            np.testing.assert_array_equal(a, b)


def test_pretrained_with_other_classes_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=5, size=40)
    other = tmp_path / "pretrained"
    other.mkdir()
    # a member for the backbone trained, so only the class check can turn it away
    member = {"backbone": "tiny", "file": "member0.keras"}
    (other / "metadata.json").write_text(json.dumps({"classes": ["x", "y"], "members": [member]}))
    trainer = _trainer(data, tmp_path / "m", other, tmp_path / "m.jsonl")
    trainer.run()
    assert trainer.started_from == {}
