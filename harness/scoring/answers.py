"""After predict: the answer key and per-image predictions on disk, and the score section.

The glue between a run's staged split and the pure functions in
harness.scoring.metrics; the key is written only now, after the submission has gone.
"""

from __future__ import annotations

import csv

from harness.data.scan import Dataset
from harness.data.staging import Stage
from harness.phases.predict import Answer
from harness.scoring.metrics import error_cost, score
from harness.settings.run_layout import RunLayout


def write_answer_files(layout: RunLayout, stage: Stage, answers: list[Answer]) -> dict[str, str]:
    """answer_key.csv and predictions.csv (one row per test image), after predict."""
    with layout.answer_key.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label"])
        writer.writerows(stage.answer_key.items())
    given = {answer.id: answer for answer in answers}
    with layout.predictions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "true", "predicted", "correct", "latency_ms"])
        for image_id, truth in stage.answer_key.items():
            answer = given.get(image_id)
            source = stage.sources[image_id]
            writer.writerow(
                [
                    image_id,
                    str(source.relative_to(source.parent.parent)),
                    truth,
                    "" if answer is None else answer.label,
                    int(answer is not None and answer.label == truth),
                    "" if answer is None else f"{answer.latency_s * 1000:.3f}",
                ]
            )
    return {
        "answer_key": layout.relative(layout.answer_key),
        "predictions": layout.relative(layout.predictions),
    }


def score_section(dataset: Dataset, stage: Stage, answers: list[Answer], limit_s: float) -> dict:
    """The report's score section, over this run's answer key (a missing answer counts wrong)."""
    given = {answer.id: answer for answer in answers}
    ids = list(stage.answer_key)
    truth = [stage.answer_key[i] for i in ids]
    predicted = [given[i].label if i in given else None for i in ids]
    latencies = [answer.latency_s for answer in answers if answer.id in stage.answer_key]
    section = score(truth, predicted, latencies, dataset.classes, limit_s)
    table = dataset.error_types
    if table is not None:
        section["error_cost"] = {
            "mean": round(error_cost(truth, predicted, table), 4),
            "table": str(dataset.error_types_path),
            "rows": len(table),
        }
    return section
