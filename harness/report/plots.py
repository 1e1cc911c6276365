"""The run page's figures: matplotlib on the Agg canvas, returned as PNG data URIs.

Data URIs keep the page one file that opens from disk with no request. No
pyplot: each figure is a plain Figure object, so nothing global is switched
and plotting is safe inside a harness that also runs other code.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import importlib.resources
import io
import logging
from collections.abc import Iterator, Sequence

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

# Families that hold Chinese glyphs, by the names Debian's packages register.
CJK_FAMILIES = (
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
# The PyPI package mplfonts ships Noto Sans CJK SC, so a fresh machine has Chinese
# glyphs without root; a dependency of the harness.
PACKAGED_CJK_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
PHASE_COLOURS = ("#dbe9f6", "#fde8d0", "#e2f0d9", "#eee0f5")
DPI = 100


@functools.cache
def cjk_font_family() -> str:
    """A font family with Chinese glyphs: a system one matplotlib knows, else the packaged one."""
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    package, name = PACKAGED_CJK_FONT
    path = str(importlib.resources.files(package) / name)
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


@contextlib.contextmanager
def _style() -> Iterator[None]:
    """Latin text in DejaVu Sans, falling back glyph by glyph to the CJK font.

    WenQuanYi ships only a medium weight, and matplotlib logs a warning each
    time it stands in for "normal"; that noise is silenced while plotting.
    """
    families = ["DejaVu Sans", cjk_font_family()]
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(
            {"font.family": families, "font.size": 9, "axes.grid": True, "grid.alpha": 0.3}
        ):
            yield
    finally:
        font_log.setLevel(level)


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def resource_timeline(
    resources: Sequence[dict], memory_limit_bytes: int | None = None
) -> str | None:
    """CPU and host memory over the whole run (GPU rows when sampled), phases shaded."""
    samples = [row for row in resources if isinstance(row.get("t"), int | float)]
    if not samples:
        return None
    t = np.array([row["t"] for row in samples], dtype=float)
    has_gpu = any(row.get("gpu_memory_bytes") is not None for row in samples)
    with _style():
        figure = Figure(figsize=(9, 6.4 if has_gpu else 3.6))
        axes = figure.subplots(4 if has_gpu else 2, 1, sharex=True)
        cpu, memory = axes[0], axes[1]
        cpu.plot(t, _column(samples, "cpu_percent"), color="#1f77b4", lw=1)
        cpu.set_ylabel("CPU %")
        memory.plot(t, _column(samples, "memory_bytes") / 2**30, color="#d62728", lw=1)
        memory.set_ylabel("memory GiB")
        if memory_limit_bytes:
            memory.axhline(memory_limit_bytes / 2**30, color="black", ls="--", lw=1)
            memory.annotate(
                "limit", (t[-1], memory_limit_bytes / 2**30), va="bottom", ha="right", fontsize=8
            )
        if has_gpu:
            axes[2].plot(t, _column(samples, "gpu_memory_bytes") / 2**30, color="#9467bd", lw=1)
            axes[2].set_ylabel("GPU memory GiB")
            axes[3].plot(t, _column(samples, "gpu_utilization"), color="#8c564b", lw=1)
            axes[3].set_ylabel("GPU util %")
        for axis in axes:
            _shade_phases(axis, samples)
        axes[-1].set_xlabel("seconds since the run started")
        return _data_uri(figure)


def _column(samples: Sequence[dict], key: str) -> np.ndarray:
    return np.array(
        [row.get(key) if row.get(key) is not None else np.nan for row in samples], float
    )


def _shade_phases(axis, samples: Sequence[dict]) -> None:
    spans: dict[str, list[float]] = {}
    for row in samples:
        span = spans.setdefault(str(row.get("phase", "")), [row["t"], row["t"]])
        span[0], span[1] = min(span[0], row["t"]), max(span[1], row["t"])
    for number, (phase, (start, end)) in enumerate(spans.items()):
        axis.axvspan(start, end, color=PHASE_COLOURS[number % len(PHASE_COLOURS)], zorder=0)
        axis.text(start, 1.0, f" {phase}", transform=axis.get_xaxis_transform(), va="top")


def latency_histogram(
    latencies_ms: Sequence[float], limit_ms: float | None, percentiles: dict[str, float]
) -> str | None:
    """How the per-image answer times spread, against the per-image limit."""
    if len(latencies_ms) == 0:
        return None
    values = np.asarray(latencies_ms, dtype=float)
    right = max(float(values.max()), float(limit_ms or 0.0)) * 1.1
    bin_count = min(60, max(10, len(values) // 5))
    # Answers far below the limit would be one bar at 0 on a linear axis; a log
    # axis shows their spread and the limit line together.
    log_axis = values.min() > 0 and right / values.min() > 100
    if log_axis:
        bins = np.geomspace(values.min(), right, bin_count)
    else:
        bins = np.linspace(0.0, right, bin_count)
    with _style():
        figure = Figure(figsize=(9, 3))
        axis = figure.subplots()
        axis.hist(values, bins=bins, color="#4c72b0")
        if log_axis:
            axis.set_xscale("log")
        styles = {"p50": ":", "p95": "-.", "p99": "--"}
        for name, style in styles.items():
            if name in percentiles:
                value = percentiles[name]
                axis.axvline(value, color="#333333", ls=style, lw=1, label=f"{name} {value:.3g} ms")
        if limit_ms:
            axis.axvline(limit_ms, color="#d62728", lw=2, label=f"limit {limit_ms:.0f} ms")
        axis.set_xlabel("answer time per image (ms)" + (", log scale" if log_axis else ""))
        axis.set_ylabel("images")
        axis.legend(loc="upper right")
        return _data_uri(figure)


def per_class_accuracy(per_class: dict[str, dict]) -> str | None:
    """One bar per class (accuracy x 100, as report.json holds it), worst at the top."""
    rows = [
        (name, float(values.get("accuracy") or 0.0), int(values.get("total") or 0))
        for name, values in per_class.items()
        if isinstance(values, dict)
    ]
    if not rows:
        return None
    rows.sort(key=lambda row: row[1], reverse=True)
    with _style():
        figure = Figure(figsize=(9, min(0.22 * len(rows) + 0.8, 24)))
        axis = figure.subplots()
        names = [f"{name} ({total})" for name, _, total in rows]
        axis.barh(names, [accuracy for _, accuracy, _ in rows], color="#55a868")
        axis.set_xlim(0, 100)
        axis.set_xlabel("accuracy % (test images of the class)")
        axis.tick_params(axis="y", labelsize=8)
        return _data_uri(figure)


def confusion_heatmap(classes: Sequence[str], counts: np.ndarray) -> str | None:
    """The confusion matrix cut down to the classes of the most confused pairs."""
    if len(classes) < 2:
        return None
    size = min(1.2 + 0.45 * len(classes), 10)
    with _style():
        figure = Figure(figsize=(size + 1.5, size))
        axis = figure.subplots()
        axis.grid(False)
        image = axis.imshow(counts, cmap="Blues")
        axis.set_xticks(range(len(classes)), classes, rotation=60, ha="right")
        axis.set_yticks(range(len(classes)), classes)
        axis.set_xlabel("predicted")
        axis.set_ylabel("true")
        for (row, col), value in np.ndenumerate(counts):
            if value:
                colour = "white" if value > counts.max() / 2 else "black"
                axis.text(col, row, str(value), ha="center", va="center", color=colour, fontsize=8)
        figure.colorbar(image, ax=axis, shrink=0.8)
        return _data_uri(figure)


def training_curve(metrics: Sequence[dict]) -> str | None:
    """Loss and accuracy per epoch line, in file order across stages, stages marked."""
    rows = [row for row in metrics if any(k in row for k in ("loss", "val_accuracy", "accuracy"))]
    if not rows:
        return None
    x = np.arange(1, len(rows) + 1)
    marker = "." if len(rows) <= 60 else None
    with _style():
        figure = Figure(figsize=(9, 3.2))
        loss_axis = figure.subplots()
        handles = []
        for key, colour in (("loss", "#d62728"), ("val_loss", "#ff9896")):
            if any(row.get(key) is not None for row in rows):
                handles += loss_axis.plot(
                    x, _column(rows, key), color=colour, marker=marker, label=key
                )
        loss_axis.set_ylabel("loss")
        loss_axis.set_xlabel("epoch (all stages, in order)")
        accuracy_axis = loss_axis.twinx()
        accuracy_axis.grid(False)
        for key, colour in (("accuracy", "#98df8a"), ("val_accuracy", "#2ca02c")):
            if any(row.get(key) is not None for row in rows):
                handles += accuracy_axis.plot(
                    x, _column(rows, key), color=colour, marker=marker, label=key
                )
        accuracy_axis.set_ylabel("accuracy")
        for start, end, stage in _stage_spans(rows):
            loss_axis.axvline(start + 0.5, color="grey", lw=0.8, ls=":")
            # A stage too short to hold its name gets the line only.
            if end - start >= 0.08 * len(rows):
                loss_axis.text(
                    start + 0.5,
                    1.0,
                    f" {stage}",
                    transform=loss_axis.get_xaxis_transform(),
                    va="top",
                    fontsize=8,
                )
        if handles:
            loss_axis.legend(handles=handles, loc="center right")
        return _data_uri(figure)


def _stage_spans(rows: Sequence[dict]) -> list[tuple[int, int, str]]:
    """(first index, end index, name) per run of equal stage (and backbone, when given)."""
    spans: list[tuple[int, int, str]] = []
    for index, row in enumerate(rows):
        if row.get("stage") is None:
            continue
        stage = " ".join(str(row[key]) for key in ("stage", "backbone") if row.get(key))
        if spans and spans[-1][2] == stage and spans[-1][1] == index:
            spans[-1] = (spans[-1][0], index + 1, stage)
        else:
            spans.append((index, index + 1, str(stage)))
    return spans


def comparison_chart(
    names: Sequence[str],
    scores: Sequence[float | None],
    train_s: Sequence[float | None],
    predict_s: Sequence[float | None],
) -> str:
    """Score per run beside train and predict time per run; a missing value draws no bar."""
    positions = np.arange(len(names))
    labels = [f"#{number + 1}" for number in range(len(names))]

    def values(items: Sequence[float | None]) -> list[float]:
        return [0.0 if item is None else float(item) for item in items]

    with _style():
        figure = Figure(figsize=(9, 3))
        score_axis, time_axis = figure.subplots(1, 2)
        score_axis.bar(positions, values(scores), color="#55a868")
        score_axis.set_xticks(positions, labels)
        score_axis.set_ylabel("score (accuracy x 100)")
        score_axis.set_ylim(0, 100)
        time_axis.bar(positions - 0.2, values(train_s), width=0.4, label="train", color="#4c72b0")
        time_axis.bar(
            positions + 0.2, values(predict_s), width=0.4, label="predict", color="#dd8452"
        )
        time_axis.set_xticks(positions, labels)
        time_axis.set_ylabel("seconds")
        time_axis.legend()
        figure.suptitle("  ".join(f"#{n + 1} {name}" for n, name in enumerate(names)), fontsize=8)
        return _data_uri(figure)
