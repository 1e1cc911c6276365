"""The passed-online gate: only content a report shows passed the online profile is packaged.

Reports are matched by content hash, so an edit after the passing run
needs a new run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError
from harness.report.schema import RunReport
from harness.settings.profiles import load_profiles
from harness.settings.run_layout import RunLayout

ONLINE_PROFILE = "online"


@dataclass(frozen=True)
class PassingReport:
    """A report.json that shows this exact content passed the online profile."""

    path: Path
    run_id: str
    accuracy: float | None
    classes: tuple[str, ...]
    deviations: tuple[str, ...] = ()


IGNORED_PROFILE_KEYS = ("name", "description", "seed")


def report_deviations(report: RunReport, online: dict) -> list[str]:
    """How the passing run differed from the built-in online profile: said, not refused."""
    notes = []
    ran = report.get("profile", {})
    for key, value in online.items():
        if key not in IGNORED_PROFILE_KEYS and key in ran and ran[key] != value:
            notes.append(f"{key} = {ran[key]!r} (the online profile says {value!r})")
    scale = report.get("time_scale", 1.0)
    if scale != 1.0:
        notes.append(f"every budget was stretched by time_scale = {scale:g}")
    data = report.get("data", {})
    if data.get("scaled_down"):
        notes.append(
            f"the data was scaled down to {data.get('train_images')} train / "
            f"{data.get('test_images')} test images"
        )
    return notes


def _report_shortfalls(report: RunReport, wanted_hash: str) -> list[str]:
    shortfalls = []
    name = report.get("profile", {}).get("name")
    if name != ONLINE_PROFILE:
        shortfalls.append(f"its profile is {name!r}, not {ONLINE_PROFILE!r}")
    if not report.get("verdict", {}).get("passed"):
        shortfalls.append("its verdict is not passed")
    if report.get("submission", {}).get("content_sha256") != wanted_hash:
        shortfalls.append("it was run on different content (the content hash differs)")
    return shortfalls


def _read_report(path: Path) -> RunReport:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(f"cannot read the report {path}: {error}") from error


def find_passing_report(
    wanted_hash: str, runs_dir: Path, report_path: Path | None = None
) -> PassingReport:
    """The newest report proving this content passed online, or a UserError saying what lacks.

    Unreadable reports under `runs_dir` are passed over (and named if nothing
    passes); a report given explicitly must be readable.
    """
    if report_path is not None:
        if not Path(report_path).is_file():
            raise UserError(f"report not found: {report_path}")
        candidates = [Path(report_path)]
    else:
        reports = (RunLayout(folder).report for folder in Path(runs_dir).glob("*/"))
        candidates = sorted((path for path in reports if path.is_file()), reverse=True)
    closest: tuple[Path, list[str]] | None = None
    unreadable: list[str] = []
    for path in candidates:
        try:
            report = _read_report(path)
        except UserError:
            if report_path is not None:
                raise
            unreadable.append(str(path))
            continue
        shortfalls = _report_shortfalls(report, wanted_hash)
        if not shortfalls:
            return PassingReport(
                path,
                str(report.get("run_id", path.parent.name)),
                report.get("score", {}).get("accuracy"),
                tuple(report.get("data", {}).get("classes", ())),
                tuple(report_deviations(report, load_profiles()[ONLINE_PROFILE])),
            )
        if closest is None:
            closest = (path, shortfalls)
    hint = "run `onlinesim simulate --profile online` on this folder first, or pass --force"
    skipped = f" (unreadable, passed over: {', '.join(unreadable)})" if unreadable else ""
    if closest is None:
        raise UserError(
            f"no report.json found under {runs_dir}: nothing shows a pass{skipped}", hint
        )
    path, shortfalls = closest
    raise UserError(
        f"no report shows that this content passed the online profile; "
        f"the newest, {path}, fails because {'; '.join(shortfalls)}{skipped}",
        hint,
    )
