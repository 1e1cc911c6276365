"""One `package` run: scan, check, gate, lay out, write the tarball and its sha256."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.data.image_reads import file_sha256
from harness.errors import UserError
from harness.package.content_hash import hash_entries
from harness.package.contents import (
    OUTPUT_FOLDERS,
    inside,
    is_junk,
    output_folders,
    refuse_problems,
    scan,
)
from harness.upload.checks import check_manifest, check_size
from harness.upload.gate import PassingReport, find_passing_report
from harness.upload.layout import layout_members
from harness.upload.tarball import write_tarball


@dataclass(frozen=True)
class PackageConfig:
    """Settings of one `package` run; the CLI fills every field (CLI > these defaults)."""

    submission: Path
    out_dir: Path = Path("dist")
    layout: str = "plain"
    max_size_mb: float = 1024.0
    force: bool = False
    runs_dir: Path = Path("runs")
    report: Path | None = None
    data: Path | None = None


@dataclass
class PackageResult:
    """What was written and what was left out or not checked."""

    tarball: Path
    sha256: str
    size_bytes: int
    content_sha256: str
    junk: list[str]
    outputs: list[str]
    skipped_checks: list[str]
    report: PassingReport | None


def _slug(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.strip())
    return cleaned.strip("-.") or "submission"


def data_classes(data_dir: Path) -> list[str]:
    """Class names of a data set: its sub-folders, junk left out, sorted."""
    if not Path(data_dir).is_dir():
        raise UserError(f"data folder not found: {data_dir}")
    return sorted(p.name for p in Path(data_dir).iterdir() if p.is_dir() and not is_junk(p.name))


def _check_out_dir(out_dir: Path, root: Path, outputs: set[Path]) -> Path:
    """Inside the package only within an output folder, which the content leaves out."""
    resolved = Path(out_dir).resolve()
    if inside(root, resolved) and not any(inside(folder, resolved) for folder in outputs):
        raise UserError(
            f"the output folder {out_dir} is inside the submission folder",
            "write the tarball elsewhere (the default is dist/ in the current folder), "
            f"or into one of the folders the package leaves out: {', '.join(OUTPUT_FOLDERS)}",
        )
    resolved.mkdir(parents=True, exist_ok=True)
    return resolved


def build_package(config: PackageConfig) -> PackageResult:
    """Check the content, confirm it passed online (unless forced) and write tarball + sha256."""
    contents = scan(config.submission, leave_out=(config.runs_dir,))
    refuse_problems(contents)
    manifest = check_manifest(contents)
    check_size(contents, config.max_size_mb)
    wanted = hash_entries(contents.entries)
    skipped: list[str] = []
    report: PassingReport | None = None
    try:
        report = find_passing_report(wanted, config.runs_dir, config.report)
    except UserError as error:
        if not config.force:
            raise
        skipped.append(f"passed-online check skipped (--force): {error.message}")
    classes = data_classes(config.data) if config.data else list(report.classes if report else [])
    members = layout_members(config.layout, contents, classes)
    outputs = output_folders(contents.root, (config.runs_dir,))
    out_dir = _check_out_dir(config.out_dir, contents.root, outputs)
    suffix = "" if config.layout == "plain" else f"-{config.layout}"
    tarball = out_dir / f"{_slug(manifest.name)}-{wanted[:12]}{suffix}.tar.gz"
    write_tarball(members, tarball)
    digest = file_sha256(tarball)
    tarball.with_name(tarball.name + ".sha256").write_text(
        f"{digest}  {tarball.name}\n", encoding="utf-8"
    )
    return PackageResult(
        tarball,
        digest,
        tarball.stat().st_size,
        wanted,
        contents.junk,
        contents.outputs,
        skipped,
        report,
    )
