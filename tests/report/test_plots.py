"""The page's figures: Chinese class names drawn with a real CJK font, valid PNGs."""

from __future__ import annotations

import base64
import io
import warnings

from PIL import Image

from harness.report import plots

CHINESE = {"充电器": {"accuracy": 80.0, "total": 5}, "纸箱": {"accuracy": 100.0, "total": 4}}


def _png(data_uri: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert data_uri.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(data_uri[len(prefix) :])))


def test_a_cjk_font_is_found_on_this_machine():
    """scripts/ensure_chromium.sh installs fonts-wqy-zenhei; without it names show as boxes."""
    assert plots.cjk_font_family() is not None


def test_chinese_class_names_draw_without_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        picture = plots.per_class_accuracy(CHINESE)

    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    image = _png(picture)
    assert image.width > 300 and image.height > 50


def test_the_check_above_can_fail_without_the_cjk_font():
    """Control: the same plot in DejaVu Sans alone does warn about the Chinese glyphs."""
    from matplotlib.figure import Figure

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = Figure()
        figure.subplots().set_title("充电器", family="DejaVu Sans")
        figure.savefig(io.BytesIO(), format="png")

    assert any("missing from font" in str(w.message) for w in caught)


def test_figures_are_none_when_there_is_nothing_to_draw():
    assert plots.resource_timeline([]) is None
    assert plots.latency_histogram([], 500, {}) is None
    assert plots.per_class_accuracy({}) is None
    assert plots.training_curve([{"epoch": 1}]) is None


def test_timeline_adds_gpu_rows_when_gpu_was_sampled():
    rows = [
        {
            "t": t,
            "phase": "train",
            "memory_bytes": 2**28,
            "cpu_percent": 50.0,
            "gpu_memory_bytes": 2**30,
            "gpu_utilization": 70.0,
        }
        for t in range(10)
    ]
    without_gpu = [dict(row, gpu_memory_bytes=None, gpu_utilization=None) for row in rows]

    tall = _png(plots.resource_timeline(rows, memory_limit_bytes=2**31))
    short = _png(plots.resource_timeline(without_gpu, memory_limit_bytes=2**31))

    assert tall.height > short.height * 1.3


def test_stage_spans_follow_stage_and_backbone_changes():
    rows = [
        {"stage": "head", "backbone": "b0", "loss": 1},
        {"stage": "head", "backbone": "b0", "loss": 1},
        {"stage": "head", "backbone": "b2", "loss": 1},
        {"loss": 1},
        {"stage": "fine_tune", "loss": 1},
    ]

    assert plots._stage_spans(rows) == [(0, 2, "head b0"), (2, 3, "head b2"), (4, 5, "fine_tune")]
