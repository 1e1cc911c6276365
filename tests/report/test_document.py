"""report.json: the verdict rule, the documented schema, the terminal summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.phases.outcome import PhaseOutcome, Status
from harness.report.document import DataSummary, assemble, summary_text, verdict, write_report
from harness.scoring.metrics import score

DOCS = Path(__file__).resolve().parents[2] / "docs" / "report.md"


def outcome(phase: str, status: Status, reason: str = "because.") -> PhaseOutcome:
    return PhaseOutcome(phase=phase, status=status, reason=reason, wall_s=1.5, limit_s=60.0)


def example_report(train: Status = Status.OK, predict: Status = Status.OK) -> dict:
    return assemble(
        run_id="20261126-000000-smoke-abcd",
        created="2026-11-26T00:00:00+00:00",
        profile={"name": "smoke"},
        time_scale=1.0,
        runner={"name": "process", "chosen": "asked", "enforcement": {"notes": []}},
        submission={
            "path": "/s",
            "name": "toy",
            "content_sha256": "0" * 64,
            "predict_served": None,
            "derived_manifest": None,
        },
        data=DataSummary("/d", ["a", "b"], 4, 2, {"train_images": 4, "test_images": 2}, False),
        phases={"train": outcome("train", train), "predict": outcome("predict", predict)},
        score=score(["a", "b"], ["a", None], [0.01], ["a", "b"], 0.5),
        warnings=["careful"],
        files={"config": "config.json"},
    )


def test_verdict_passes_only_when_every_phase_is_ok() -> None:
    assert verdict({"train": outcome("train", Status.OK)}) == {"passed": True, "reasons": []}
    failed = verdict(
        {
            "train": outcome("train", Status.OK),
            "predict": outcome("predict", Status.TOO_SLOW, "3 answers were slow."),
        }
    )
    assert failed == {"passed": False, "reasons": ["predict: too_slow: 3 answers were slow."]}


def documented_fields() -> list[str]:
    """The dotted names in the first column of the report.json field table of docs/report.md."""
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("## `report.json`, field by field", 1)[1].split("### PhaseOutcome", 1)[0]
    return re.findall(r"^\| `([a-z_.]+)` \|", table, flags=re.MULTILINE)


def test_every_documented_field_is_in_the_report() -> None:
    fields = documented_fields()
    assert len(fields) > 30
    report = example_report()
    for dotted in fields:
        node = report
        for part in dotted.split("."):
            assert isinstance(node, dict) and part in node, f"{dotted} documented, not produced"
            node = node[part]


def test_report_is_written_whole_and_readable(tmp_path: Path) -> None:
    report = example_report()
    path = write_report(tmp_path, report)
    assert json.loads(path.read_text(encoding="utf-8")) == report
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize(
    ("train", "predict", "words"),
    [
        (Status.OK, Status.OK, ["PASSED", "50.00  (1/2 correct, 1 answered)", "warning: careful"]),
        (Status.TIMEOUT, Status.NOT_RUN, ["FAILED", "timeout", "because."]),
    ],
)
def test_summary_says_verdict_score_and_reasons(train, predict, words) -> None:
    text = summary_text(example_report(train, predict), Path("/runs/x/report.json"))
    for word in words:
        assert word in text
    assert "report   /runs/x/report.json" in text
