"""Config precedence, the backbone registry's errors, and the heads."""

import numpy as np
import pytest
from garbage import backbones, heads
from garbage.config import DEFAULT_FILE, OVERRIDE_ENV, ConfigError, TrainConfig, load_config


def test_precedence_defaults_then_package_file_then_override(tmp_path):
    packaged = load_config({})
    assert TrainConfig().backbones == ["efficientnet_lite0"]
    assert DEFAULT_FILE.is_file()
    assert packaged.backbones == ["efficientnet_lite0", "efficientnet_lite2"]  # config.toml wins
    assert packaged.head_epochs == TrainConfig().head_epochs  # not in the file: default
    override = tmp_path / "mine.toml"
    override.write_text('backbones = ["tiny"]\nhead_epochs = 3\nhead_lr = 1\n', encoding="utf-8")
    mine = load_config({OVERRIDE_ENV: str(override)})
    assert mine.backbones == ["tiny"] and mine.head_epochs == 3
    assert mine.head_lr == 1.0 and isinstance(mine.head_lr, float)
    assert mine.head == packaged.head  # untouched keys come from config.toml


def test_config_errors_name_the_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("head_epoch = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'head_epoch'.*head_epochs"):
        load_config({OVERRIDE_ENV: str(bad)})
    bad.write_text('backbones = "tiny"\n', encoding="utf-8")
    wrong_type = tmp_path / "wrong_type.toml"
    wrong_type.write_text('head_epochs = "3"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="head_epochs must be a int like .*got the str '3'"):
        load_config({OVERRIDE_ENV: str(wrong_type)})
    with pytest.raises(ConfigError, match="backbones must be a list like"):
        load_config({OVERRIDE_ENV: str(bad)})
    with pytest.raises(ConfigError, match="not a file"):
        load_config({OVERRIDE_ENV: str(tmp_path / "missing.toml")})


def test_unknown_backbone_lists_valid_names():
    with pytest.raises(backbones.UnknownBackboneError, match="valid names: .*lite0.*resnet50"):
        backbones.get_spec("efficientnet_b9")


def test_missing_weights_file_names_file_and_command(monkeypatch, tmp_path):
    monkeypatch.setattr(backbones, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(backbones.MissingWeightsError) as err:
        backbones.build("efficientnet_lite0", 1)
    assert str(tmp_path / "efficientnet_lite0.weights.h5") in str(err.value)
    assert "garbage.convert_lite lite0" in str(err.value)
    with pytest.raises(backbones.MissingWeightsError, match="save_weights"):
        backbones.build("mobilenet_v3_small", 0)


def test_every_registered_backbone_records_size_and_preprocessing():
    for spec in backbones.REGISTRY.values():
        assert 32 <= spec.input_size <= 380 and spec.feature_width > 0
        assert len(spec.preprocessing.mean) == 3 and spec.preprocessing.scale > 0


def test_svd_keeps_the_requested_energy():
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(3, 20))
    x = rng.normal(size=(200, 3)) * [10.0, 3.0, 0.1] @ basis
    w, b = heads.svd_projection(x, 0.9)
    assert w.shape[1] == 1  # the first direction alone holds > 90%
    w, b = heads.svd_projection(x, 0.999)
    assert w.shape[1] == 2
    z = x @ w + b
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-3)


@pytest.mark.parametrize("kind", ["dense", "se"])
def test_heads_output_probabilities(kind):
    x = np.random.default_rng(0).normal(size=(30, 16)).astype("float32")
    head = heads.build_head(kind, 16, 4, 0.2, x, 0.9)
    p = np.asarray(head.predict_on_batch(x))
    assert p.shape == (30, 4)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="valid heads: dense, se"):
        heads.build_head("mlp", 16, 4, 0.2)


def test_every_backbone_builds_with_its_recorded_width_and_size():
    for name, spec in backbones.REGISTRY.items():
        built, parts = backbones.build(name, 1, pretrained=False)
        assert parts.bottom.input.shape[1:] == (spec.input_size, spec.input_size, 3), name
        assert parts.top.output.shape[-1] == spec.feature_width, name
        assert tuple(parts.top.input.shape[1:]) == tuple(parts.bottom.output.shape[1:]), name
