"""A sweep's results: summary.json (docs/sweep.md), the terminal table and the page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from harness.report import html, plots
from harness.report.compare import format_table
from harness.report.units import MISSING, format_bytes, format_seconds
from harness.sweep.aggregate import Outcome, Spread, VariantAggregate

SCHEMA = 1


def summary_document(
    head: dict[str, Any], rows: Sequence[VariantAggregate], outcomes: Sequence[Outcome]
) -> dict[str, Any]:
    """`head` (what was swept) with the aggregates and every rehearsal's outcome."""
    aggregates = []
    for row in rows:
        entry = asdict(row)
        entry["failures"] = [{"seed": seed, "reason": reason} for seed, reason in row.failures]
        aggregates.append(entry)
    return {
        "schema": SCHEMA,
        **head,
        "aggregates": aggregates,
        "rehearsals": [
            {
                "variant": o.rehearsal.variant.name,
                "profile": o.rehearsal.profile,
                "seed": o.rehearsal.seed,
                "verdict": o.verdict,
                "score": None if o.summary is None else o.summary.score,
                "reason": o.reason,
                "run_dir": o.run_dir,
            }
            for o in outcomes
        ],
    }


def write_summary(document: dict[str, Any], target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def spread_text(value: Spread | None, digits: int = 2) -> str:
    """`mean ± SEM (n)`; one value has no SEM."""
    if value is None:
        return MISSING
    sem = "" if value.sem is None else f" ± {value.sem:.{digits}f}"
    return f"{value.mean:.{digits}f}{sem} (n={value.n})"


def _seconds(value: Spread | None) -> str:
    return MISSING if value is None else format_seconds(value.mean)


def aggregate_rows(rows: Sequence[VariantAggregate]) -> list[list[str]]:
    """Header, then a row per (variant, profile): what the table and the page show."""
    table = [
        ["variant", "profile", "passed", "score mean ± SEM", "range", "train", "predict",
         "p99 ms", "peak memory"]
    ]  # fmt: skip
    for row in rows:
        score = row.score
        table.append(
            [
                row.variant,
                row.profile,
                f"{row.passed}/{row.rehearsals}",
                spread_text(score),
                MISSING if score is None else f"{score.minimum:.2f}-{score.maximum:.2f}",
                _seconds(row.train_s),
                _seconds(row.predict_s),
                MISSING if row.latency_p99_ms is None else f"{row.latency_p99_ms.mean:.0f}",
                format_bytes(row.peak_memory_bytes),
            ]
        )
    return table


def terminal_text(rows: Sequence[VariantAggregate]) -> str:
    """The aggregate table, then each failed rehearsal's reason."""
    lines = [format_table(aggregate_rows(rows))]
    for row in rows:
        for seed, reason in row.failures:
            lines.append(f"{row.variant} / {row.profile} / seed {seed}: {reason}")
    return "\n".join(lines)


def outcome_line(outcome: Outcome, done: int, total: int) -> str:
    """The progress line printed as each rehearsal ends."""
    score = outcome.summary and outcome.summary.score
    shown = "" if score is None else f" score {score:.2f}"
    where = f"  {outcome.run_dir}" if outcome.run_dir else ""
    return f"[{done}/{total}] {outcome.rehearsal.label}: {outcome.verdict}{shown}{where}"


def render_page(document: dict[str, Any], rows: Sequence[VariantAggregate]) -> str:
    """The aggregates with a chart of mean score and phase times, and every rehearsal."""
    table = aggregate_rows(rows)
    body = [
        f"<h1>Sweep {document['sweep_id']}</h1>",
        html.paragraph(
            f"{len(document['rehearsals'])} rehearsals of {document['submission']} on "
            f"{document['data']}; score is accuracy x 100, mean ± standard error over seeds."
        ),
        html.table(table[0], table[1:]),
        html.image(
            plots.comparison_chart(
                [f"{row.variant} / {row.profile}" for row in rows],
                [row.score and row.score.mean for row in rows],
                [row.train_s and row.train_s.mean for row in rows],
                [row.predict_s and row.predict_s.mean for row in rows],
            ),
            "mean score and phase times per variant",
        ),
        html.section(
            "Rehearsals",
            html.table(
                ["variant", "profile", "seed", "verdict", "score", "run folder"],
                [
                    [
                        r["variant"],
                        r["profile"],
                        str(r["seed"]),
                        r["verdict"],
                        MISSING if r["score"] is None else f"{r['score']:.2f}",
                        r["run_dir"] or MISSING,
                    ]
                    for r in document["rehearsals"]
                ],
            ),
        ),
    ]
    failed = [r for r in document["rehearsals"] if r["reason"]]
    if failed:
        body.append(
            html.section(
                "Why rehearsals failed",
                html.bullets(
                    [
                        f"{r['variant']} / {r['profile']} / seed {r['seed']}: {r['reason']}"
                        for r in failed
                    ]
                ),  # fmt: skip
            )
        )
    return html.document(f"onlinesim sweep {document['sweep_id']}", body)
