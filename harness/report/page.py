"""The run page: one self-contained HTML file people read after a run.

Ordered by the questions a competitor asks: did it pass and why not, what did
it score, where did the budget go, how close did predict come to the
per-image limit, which classes are confused, how did training go, and what
did the program print last. Everything comes from the run folder (report.json
and the traces beside it), so a page can be rebuilt from any old run.
"""

from __future__ import annotations

from pathlib import Path

from harness.report import html, plots, summaries
from harness.report.run_folder import RunFolder, load_run
from harness.report.schema import PhaseEntry
from harness.report.units import MISSING, format_bytes, format_seconds
from harness.settings.run_layout import RunLayout

CONFUSED_PAIRS_SHOWN = 12


def write_report_page(run_dir: Path) -> Path:
    """Write runs/<id>/report.html from the folder's files and return its path."""
    run = load_run(Path(run_dir))
    target = RunLayout(run.path).page
    target.write_text(render_page(run), encoding="utf-8")
    return target


def render_page(run: RunFolder) -> str:
    return html.document(
        f"onlinesim run {run.run_id}",
        [
            _header(run),
            _verdict(run),
            _score(run),
            _budget(run),
            _resources(run),
            _latency(run),
            _per_class(run),
            _confusion(run),
            _training(run),
            _time_spent(run),
            _setup(run),
            _logs(run),
        ],
    )


def _header(run: RunFolder) -> str:
    report = run.report
    profile = report.get("profile") or {}
    submission = report.get("submission") or {}
    runner = report.get("runner") or {}
    facts = [
        f"profile {profile.get('name', MISSING)}",
        f"submission {submission.get('name', MISSING)}",
        f"runner {runner.get('name', MISSING)}",
        f"time scale {report.get('time_scale', 1.0)}",
        f"created {report.get('created', MISSING)}",
        f"onlinesim {report.get('harness_version', MISSING)}",
    ]
    return f"<h1>Run {html.escape(run.run_id)}</h1>" + html.paragraph(" · ".join(facts), "meta")


def _verdict(run: RunFolder) -> str:
    verdict = run.verdict
    passed = bool(verdict.get("passed"))
    word = "PASSED" if passed else "FAILED"
    reasons = [str(reason) for reason in verdict.get("reasons") or []]
    warnings = [str(warning) for warning in run.report.get("warnings") or []]
    parts = [f"<strong>{word}</strong>"]
    if reasons:
        parts.append(html.bullets(reasons))
    if warnings:
        parts.append(html.paragraph("Warnings:") + html.bullets(warnings))
    css = "passed" if passed else "failed"
    return f'<div class="verdict {css}" id="verdict">{"".join(parts)}</div>'


def _score(run: RunFolder) -> str:
    score = run.score
    if score.get("accuracy") is None:
        return html.section("Score", html.missing("No score: the run ended before predictions."))
    latency = score.get("latency_ms") or {}
    rows = [
        ("correct", f"{score.get('correct', MISSING)} / {score.get('total', MISSING)}"),
        ("answered", f"{score.get('answered', MISSING)} / {score.get('total', MISSING)}"),
        ("mean error cost per image", _error_cost(score.get("error_cost"))),
        (
            "latency p99 / limit (ms)",
            f"{_number(latency.get('p99'), 0)} / {_number(latency.get('limit'), 0)}",
        ),
        ("answers over the per-image limit", str(latency.get("over_limit", MISSING))),
    ]
    return html.section(
        "Score",
        f'<div class="score">{float(score["accuracy"]):.2f}</div>',
        html.paragraph("top-1 accuracy × 100 over all test images, the contest's score", "meta"),
        html.table(("", ""), rows),
        anchor="score",
    )


def _error_cost(cost: object) -> str:
    """report.json holds {"mean", "table", "rows"}, or null when the set has no table."""
    if isinstance(cost, dict) and isinstance(cost.get("mean"), int | float):
        return f"{cost['mean']:.3f} (table {cost.get('table', MISSING)})"
    if isinstance(cost, int | float):
        return f"{cost:.3f}"
    return "no error-type table in the data set"


def _working_set_note(phase: dict) -> str:
    """The working set beside the peak where they differ (docker: page cache left out)."""
    peak, working_set = phase.get("peak_memory_bytes"), phase.get("peak_working_set_bytes")
    if working_set is None or working_set == peak:
        return ""
    return f"; host working set {format_bytes(working_set)}"


def _budget(run: RunFolder) -> str:
    rows = []
    for name in run.phase_names():
        phase = run.phase(name)
        status = str(phase.get("status", MISSING))
        rows.append(
            (
                name,
                html.status_badge(status),
                format_seconds(phase.get("wall_s")),
                *_limit_cells(run, phase),
                _memory_cell(phase) + _working_set_note(phase),
                str(phase.get("exit_code", MISSING)),
                str(phase.get("reason", "")),
                _details(phase.get("details")),
            )
        )
    if not rows:
        return html.section("Budget", html.missing("No phase ran."))
    headers = (
        "phase",
        "status",
        "used",
        "limit",
        "share of limit",
        "peak / limit memory",
        "exit",
        "reason",
        "details",
    )
    return html.section("Budget per phase", html.table(headers, rows), anchor="budget")


def _memory_cell(phase: PhaseEntry) -> str:
    """Peak against limit; the GPU's too when it was measured or limited."""
    cell = (
        f"{format_bytes(phase.get('peak_memory_bytes'))} / "
        f"{format_bytes(phase.get('memory_limit_bytes'))}"
    )
    gpu_peak, gpu_limit = phase.get("peak_gpu_memory_bytes"), phase.get("gpu_memory_limit_bytes")
    if gpu_peak is not None or gpu_limit is not None:
        cell += f"; GPU {format_bytes(gpu_peak)} / {format_bytes(gpu_limit)}"
    return cell


def _limit_cells(run: RunFolder, phase: PhaseEntry) -> tuple[str, html.Raw]:
    """The phase's limit and its share used; predict has a per-image limit, not a budget.

    Drawn as a budget, a per-image limit would show every predict phase as far
    over it. It is in predict's `details`; older reports carried it in `limit_s`.
    """
    if phase.get("phase") == "predict":
        details = phase.get("details") or {}
        per_image_s = details.get("per_image_limit_s") or phase.get("limit_s")
        if not isinstance(per_image_s, int | float):
            per_image_ms = (run.score.get("latency_ms") or {}).get("limit")
            per_image_s = per_image_ms / 1000 if isinstance(per_image_ms, int | float) else None
        if per_image_s is None:
            return MISSING, html.bar(None)
        return f"{format_seconds(per_image_s)} per image", html.bar(None)
    limit_s = phase.get("limit_s")
    used = summaries.budget_fraction(phase.get("wall_s"), limit_s)
    return format_seconds(limit_s), html.bar(used)


def _details(details: object) -> str:
    """The phase's scalar extras (setup time, answers...); lists and empty values left out."""
    if not isinstance(details, dict):
        return ""
    shown = []
    for key, value in details.items():
        if isinstance(value, bool):
            if value:
                shown.append(key.replace("_", " "))
        elif isinstance(value, float):
            shown.append(f"{key} {value:.3g}")
        elif isinstance(value, int | str) and value != "":
            shown.append(f"{key} {value}")
    return ", ".join(shown)


def _resources(run: RunFolder) -> str:
    limits = [run.phase(name).get("memory_limit_bytes") for name in run.phase_names()]
    limit = max((value for value in limits if value), default=None)
    picture = plots.resource_timeline(run.resources, limit)
    if picture is None:
        return html.section("Resources", html.missing("No resource samples were recorded."))
    by_phase = summaries.resources_by_phase(run.resources)
    rows = [
        (
            phase,
            str(numbers.samples),
            format_bytes(numbers.peak_memory_bytes),
            f"{numbers.mean_cpu_percent:.0f}",
            format_bytes(numbers.peak_gpu_memory_bytes),
            _number(numbers.mean_gpu_utilization, 0),
        )
        for phase, numbers in by_phase.items()
    ]
    headers = ("phase", "samples", "peak memory", "mean CPU %", "peak GPU memory", "mean GPU %")
    parts = [
        html.image(picture, "resource timeline: CPU and memory"),
        html.table(headers, rows, numeric={1, 2, 3, 4, 5}),
    ]
    if all(numbers.peak_gpu_memory_bytes is None for numbers in by_phase.values()):
        parts.append(html.paragraph("No GPU was sampled in this run.", "meta"))
    return html.section("Resources over the run", *parts, anchor="resources")


def _latency(run: RunFolder) -> str:
    recorded = run.score.get("latency_ms") or {}
    # The report's own figures (nearest-rank) when it has them, so page and JSON agree.
    percentiles = {
        name: float(recorded[name])
        for name in ("p50", "p95", "p99", "max")
        if isinstance(recorded.get(name), int | float)
    } or summaries.latency_percentiles(run.latencies_ms)
    limit = recorded.get("limit") or (run.report.get("profile") or {}).get("per_image_ms")
    picture = plots.latency_histogram(run.latencies_ms, limit, percentiles)
    if picture is None:
        return html.section("Answer times", html.missing("No per-image answer times."))
    rows = [(name, f"{value:.3g}") for name, value in percentiles.items()]
    rows.append(("limit", _number(limit, 0)))
    return html.section(
        "Answer time per image",
        html.image(picture, "latency histogram"),
        html.table(("", "ms"), rows, numeric={1}),
        anchor="latency",
    )


def _per_class(run: RunFolder) -> str:
    per_class = run.score.get("per_class") or {}
    picture = plots.per_class_accuracy(per_class)
    if picture is None:
        return html.section("Per class", html.missing("No per-class accuracy (no score)."))
    return html.section(
        "Accuracy per class", html.image(picture, "per-class accuracy"), anchor="per-class"
    )


def _confusion(run: RunFolder) -> str:
    confusion = run.score.get("confusion") or {}
    labels, matrix = confusion.get("labels") or [], confusion.get("matrix") or []
    pairs = summaries.most_confused_pairs(labels, matrix, CONFUSED_PAIRS_SHOWN)
    if not pairs:
        text = "No confusions." if labels else "No confusion matrix (no score)."
        return html.section("Most confused pairs", html.missing(text))
    rows = [
        (pair.true, pair.predicted, str(pair.count), f"{pair.share_of_true * 100:.0f}%")
        for pair in pairs
    ]
    classes = summaries.classes_in_pairs(pairs)
    picture = plots.confusion_heatmap(classes, summaries.sub_matrix(labels, matrix, classes))
    parts = [html.table(("true", "answered", "images", "share of true class"), rows, {2, 3})]
    if picture:
        parts.append(html.image(picture, "confusion among the most confused classes"))
    unanswered = sum(n for n in confusion.get("unanswered") or [] if isinstance(n, int))
    if unanswered:
        parts.append(html.paragraph(f"{unanswered} test images got no valid answer (wrong)."))
    return html.section("Most confused pairs", *parts, anchor="confusion")


def _training(run: RunFolder) -> str:
    picture = plots.training_curve(run.train_metrics)
    if picture is None:
        return html.section(
            "Training curve",
            html.missing("The submission wrote no metrics file (ONLINESIM_METRICS_PATH)."),
        )
    return html.section("Training curve", html.image(picture, "training curve"), anchor="training")


def _time_spent(run: RunFolder) -> str:
    steps = summaries.timed_steps(run.train_metrics)
    if not steps:
        return html.section(
            "Where training time went",
            html.missing(
                'No metrics line carried a "seconds" field (docs/contract.md, metrics file).'
            ),
        )
    rows = [
        (
            step.stage,
            step.detail,
            format_seconds(step.seconds),
            ", ".join(f"{name} {value:g}" for name, value in step.rates.items()),
        )
        for step in steps
    ]
    parts = [html.table(("stage", "what", "seconds", "rates"), rows, {2})]
    wall = run.phase("train").get("wall_s")
    if isinstance(wall, int | float) and wall > 0:
        timed = sum(step.seconds for step in steps)
        parts.append(
            html.paragraph(
                f"The steps above account for {format_seconds(timed)} of the train phase's "
                f"{format_seconds(wall)} ({timed / wall:.0%}); no line timed the rest."
            )
        )
    return html.section("Where training time went", *parts, anchor="time-spent")


def _setup(run: RunFolder) -> str:
    report = run.report
    data = report.get("data") or {}
    rows = [
        ("data set", str(data.get("source", MISSING))),
        ("classes", str(len(data.get("classes") or []))),
        ("train images", str(data.get("train_images", MISSING))),
        ("test images", str(data.get("test_images", MISSING))),
        ("scaled down", "yes" if data.get("scaled_down") else "no"),
        ("skipped files", str(len(data.get("skipped_files") or []))),
    ]
    enforcement = (report.get("runner") or {}).get("enforcement") or {}
    for key in ("memory", "network", "read_only_data", "gpu"):
        if key in enforcement:
            rows.append((f"enforced: {key.replace('_', ' ')}", "yes" if enforcement[key] else "NO"))
    notes = [str(note) for note in enforcement.get("notes") or []]
    warnings = [str(warning) for warning in data.get("warnings") or []]
    profile = report.get("profile") or {}
    parts = [html.table(("", ""), rows)]
    if warnings or notes:
        parts.append(html.bullets(warnings + notes))
    if profile:
        parts.append(
            html.table(("profile setting", "value"), [(str(k), str(v)) for k, v in profile.items()])
        )
    return html.section("Data and environment", *parts, anchor="setup")


def _logs(run: RunFolder) -> str:
    parts = []
    for name in run.phase_names():
        phase = run.phase(name)
        tail = [str(line) for line in phase.get("log_tail") or []]
        where = phase.get("log_path") or MISSING
        parts.append(f"<h3>{html.escape(name)}</h3>")
        parts.append(html.paragraph(f"full log: {where}", "meta"))
        parts.append(html.preformatted(tail) if tail else html.missing("The log is empty."))
    if not parts:
        return html.section("Log tails", html.missing("No phase ran."))
    return html.section("Log tails", *parts, anchor="logs")


def _number(value: object, digits: int) -> str:
    if isinstance(value, int | float):
        return f"{value:.{digits}f}"
    return MISSING
