"""Config variants: only the keys a variant names change, in a copy of the submission."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.package.variants import (
    Variant,
    overlay,
    toml_text,
    variant_copy,
    variants_from_files,
)

BASE = """backbones = ["efficientnet_lite0", "efficientnet_lite2"]
loss = "ce"
head_lr = 0.001
finetune = true

[augment]
flip = true
zoom = 0.1
"""


def test_overlay_changes_only_the_named_keys(tmp_path: Path) -> None:
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "config.toml").write_text(BASE, encoding="utf-8")
    (submission / "train.py").write_text("", encoding="utf-8")
    (submission / "__pycache__").mkdir()
    variant = tmp_path / "focal.toml"
    variant.write_text('loss = "focal"\nhead_lr = 1e-4\n[augment]\nzoom = 0.3\n', encoding="utf-8")

    copy = variant_copy(submission, Variant("focal", variant), tmp_path / "copy", "config.toml")
    merged = tomllib.loads((copy / "config.toml").read_text(encoding="utf-8"))
    assert merged == {
        "backbones": ["efficientnet_lite0", "efficientnet_lite2"],
        "loss": "focal",
        "head_lr": 1e-4,
        "finetune": True,
        "augment": {"flip": True, "zoom": 0.3},
    }
    assert (submission / "config.toml").read_text(encoding="utf-8") == BASE
    assert sorted(p.name for p in copy.iterdir()) == ["config.toml", "train.py"]


def test_toml_text_round_trips_unicode_and_odd_keys() -> None:
    values = {"classes": ["纸箱", 'a "quoted" name'], "odd key": 1, "t": {"x": -2.5}}
    assert tomllib.loads(toml_text(values, "v.toml")) == values


def test_nested_tables_round_trip_and_unwritable_values_are_refused() -> None:
    nested = overlay({"a": {"x": 1}}, {"a": {"b": {"c": 1}}})
    assert tomllib.loads(toml_text(nested, "v.toml")) == {"a": {"x": 1, "b": {"c": 1}}}
    with pytest.raises(UserError, match="v.toml: .*cannot be overlaid"):
        toml_text({"a": None}, "v.toml")


def test_variant_files_are_read_before_anything_runs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("loss = \n", encoding="utf-8")
    with pytest.raises(UserError, match="broken.toml: not valid TOML"):
        variants_from_files([broken])
    good = tmp_path / "good.toml"
    good.write_text("x = 1\n", encoding="utf-8")
    names = [v.name for v in variants_from_files([good, good])]
    assert names == ["baseline", "good", "good-2"]
