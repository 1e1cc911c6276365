"""input_sizes: a backbone read at a side other than its native one, from the pixel
cache through the exported model, and the config mistakes it rejects."""

import json
import time

import pytest
from garbage import backbones, savedmodel
from garbage.budget import Budget
from garbage.config import OVERRIDE_ENV, ConfigError, TrainConfig, load_config
from garbage.metrics import MetricsLog
from garbage.training import Trainer

from harness.data.demo import make_image_set


def _trainer(tmp_path, **overrides) -> Trainer:
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=8, size=64)
    config = TrainConfig(
        backbones=["tiny"],
        pretrained=False,
        aug_copies=1,
        head_epochs=2,
        finetune=False,
        **overrides,
    )
    metrics = MetricsLog(str(tmp_path / "metrics.jsonl"))
    budget = Budget(time.time() + 600, 0.0)
    return Trainer(config, data, tmp_path / "model", budget, metrics, tmp_path / "none")


def test_a_toml_table_sets_a_backbone_side(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text("[input_sizes]\nefficientnet_lite2 = 300\n", encoding="utf-8")
    assert load_config({OVERRIDE_ENV: str(mine)}).input_sizes == {"efficientnet_lite2": 300}
    assert load_config({}).input_sizes == {}


def test_a_backbone_builds_at_the_side_asked(tmp_path):
    spec, parts = backbones.build("efficientnet_lite0", 1, pretrained=False, input_size=256)
    assert spec.input_size == 256
    assert parts.bottom.input.shape[1:] == (256, 256, 3)
    assert parts.top.output.shape[-1] == spec.feature_width
    assert backbones.get_spec("efficientnet_lite0").input_size == 224  # the registry unchanged


def test_the_run_decodes_trains_and_exports_at_the_configured_side(tmp_path):
    trainer = _trainer(tmp_path, input_sizes={"tiny": 48})
    trainer.run()
    lines = map(json.loads, (tmp_path / "metrics.jsonl").read_text().splitlines())
    decode = [line for line in lines if line["stage"] == "decode"]
    assert decode[0]["size"] == 48
    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert [m["input_size"] for m in meta["members"]] == [48]
    assert savedmodel.serve_settings(meta)["input_size"] == 48
    assert trainer.members[0].parts.bottom.input.shape[1:] == (48, 48, 3)


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"efficientnet_lite2": 300}, "input_sizes names 'efficientnet_lite2', which is not in"),
        ({"tiny": 16}, "input_sizes.tiny must be a whole number of pixels from 32 to 1024, got 16"),
        ({"tiny": "48"}, "input_sizes.tiny must be a whole number .* got '48'"),
        ({"tiny": True}, "input_sizes.tiny must be a whole number .* got True"),
    ],
)
def test_input_sizes_mistakes_name_the_key_and_the_fix(tmp_path, sizes, message):
    with pytest.raises(ConfigError, match=message):
        _trainer(tmp_path, input_sizes=sizes)
