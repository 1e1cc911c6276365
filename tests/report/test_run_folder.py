"""Loading a run folder: tolerant of what a failed run left out, strict about what a run is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.report.run_folder import load_run
from harness.settings.run_layout import RunLayout


def test_a_torn_trace_line_is_passed_over(passed_run: Path):
    run = load_run(passed_run)

    assert run.resources and all("memory_bytes" in row for row in run.resources)
    assert len(run.latencies_ms) == 20
    epochs = [row["stage"] for row in run.train_metrics if "epoch" in row]
    assert epochs[::4] == ["head", "fine_tune"]
    assert len(run.train_metrics) == len(epochs) + 3  # and the three timed steps


def test_files_named_in_the_report_are_read_from_there(tmp_path: Path):
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "r.jsonl").write_text('{"t": 1, "phase": "train"}\n', "utf-8")
    RunLayout(tmp_path).report.write_text(
        json.dumps({"files": {"resources": "traces/r.jsonl"}}), "utf-8"
    )

    assert load_run(tmp_path).resources == [{"t": 1, "phase": "train"}]


def test_unanswered_images_have_no_latency(tmp_path: Path):
    RunLayout(tmp_path).report.write_text("{}", "utf-8")
    RunLayout(tmp_path).predictions.write_text(
        "id,true,predicted,correct,latency_ms\na,x,x,1,12.5\nb,x,,0,\n", "utf-8"
    )

    assert load_run(tmp_path).latencies_ms == [12.5]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "has no report.json"),
        ("[1, 2]", "does not hold a JSON object"),
        ("{", "is not valid JSON"),
    ],
)
def test_what_is_not_a_run_is_refused_plainly(tmp_path: Path, content, message):
    if content is not None:
        RunLayout(tmp_path).report.write_text(content, "utf-8")

    with pytest.raises(UserError, match=message) as raised:
        load_run(tmp_path)
    assert raised.value.hint


def test_a_missing_folder_is_refused(tmp_path: Path):
    with pytest.raises(UserError, match="is not a folder"):
        load_run(tmp_path / "nope")
