"""Where pretrained weights came from, and the guard against testing on them.

`pretrain` writes `weights/pretrained/provenance.json` into the submission:
the content hashes of every image the weights were trained on. A simulated
test image with the same bytes would inflate the rehearsal score, so
`simulate` asks `check_leakage` before it runs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.data.image_reads import file_sha256, image_sha256
from harness.errors import UserError

PRETRAINED_DIR = Path("weights") / "pretrained"
PROVENANCE_FILE = PRETRAINED_DIR / "provenance.json"
SCHEMA = 1


@dataclass(frozen=True)
class TrainedImage:
    """One image the weights saw: its content hash, class and path in the data set."""

    sha256: str
    label: str
    path: str


@dataclass
class Provenance:
    """The record `pretrain` installs beside the weights it exported."""

    created: str
    run_id: str
    profile: str
    data_dir: str
    holdout: dict
    config: dict
    submission_content_sha256: str
    starting_weights: dict[str, str]
    images: list[TrainedImage] = field(default_factory=list)
    schema: int = SCHEMA

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    def write(self, submission_dir: Path) -> Path:
        path = Path(submission_dir) / PROVENANCE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @property
    def image_hashes(self) -> set[str]:
        return {image.sha256 for image in self.images}


def load_provenance(submission_dir: Path) -> Provenance | None:
    """The submission's provenance record, None if it has none."""
    path = Path(submission_dir) / PROVENANCE_FILE
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        images = [TrainedImage(**image) for image in raw.pop("images")]
        return Provenance(images=images, **raw)
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(
            f"the weights' provenance file {path} cannot be read ({error})",
            "re-run `onlinesim pretrain`, or delete weights/pretrained/ if you do not use it",
        ) from error


@dataclass(frozen=True)
class LeakageCheck:
    """How many test images the pretrained weights have already seen, in one sentence."""

    overlapping: int
    message: str


def check_leakage(submission_dir: Path, test_files: Sequence[Path]) -> LeakageCheck:
    """Compare the test images' content hashes with the pretrained-on images.

    The hashes are the hold-out's own when both run in one `each_image_once` block.
    """
    provenance = load_provenance(submission_dir)
    if provenance is None:
        return LeakageCheck(
            0, f"no {PROVENANCE_FILE.as_posix()} in the submission: no pretrained-on images known"
        )
    seen = provenance.image_hashes
    hits = [Path(p) for p in test_files if image_sha256(Path(p)) in seen]
    if not hits:
        return LeakageCheck(
            0,
            f"none of the {len(test_files)} test images is among the "
            f"{len(seen)} images the pretrained weights were trained on",
        )
    examples = ", ".join(p.name for p in hits[:5])
    return LeakageCheck(
        len(hits),
        f"{len(hits)} of the {len(test_files)} test images are among the images the "
        f"pretrained weights were trained on (e.g. {examples}; "
        f"{Path(submission_dir) / PROVENANCE_FILE}): the score would be inflated. Pretrain "
        f"and simulate with the same hold-out seed, or drop weights/pretrained/",
    )


def staged_images(train_dir: Path) -> list[TrainedImage]:
    """Every image under a staged `<class>/<image>` folder, hashed, in sorted order.

    Inside the `each_image_once` block of the run that staged them, the hashes
    are the ones its hold-out computed (hard links and copies alike).
    """
    images = []
    for folder in sorted(p for p in Path(train_dir).iterdir() if p.is_dir()):
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            images.append(
                TrainedImage(image_sha256(path), folder.name, f"{folder.name}/{path.name}")
            )
    return images


def weights_inventory(submission_dir: Path) -> dict[str, str]:
    """sha256 of every file under the submission's weights/ folder: the starting weights."""
    root = Path(submission_dir) / "weights"
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): file_sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class Installed:
    """What `install_pretrained` did, for the user to read."""

    target: Path
    files: int
    replaced_to: Path | None
    provenance: Path


def install_pretrained(
    model_dir: Path, submission_dir: Path, provenance: Provenance, backup_dir: Path
) -> Installed:
    """Copy an exported model into weights/pretrained/ with its provenance.

    The copy is made in `backup_dir` (outside the submission) first; a previous
    weights/pretrained/ is moved there, never deleted; nothing else in the
    submission is touched.
    """
    model_dir, submission_dir = Path(model_dir), Path(submission_dir)
    exported = [p for p in model_dir.rglob("*") if p.is_file()]
    if not exported:
        raise UserError(f"the training run exported nothing into {model_dir}: nothing to install")
    if (model_dir / PROVENANCE_FILE.name).exists():
        raise UserError(
            f"the exported model already holds a {PROVENANCE_FILE.name}",
            "the submission must not export a file of that name: pretrain writes it",
        )
    target = submission_dir / PRETRAINED_DIR
    backup_dir = Path(backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    incoming = backup_dir / "incoming_pretrained"
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.copytree(model_dir, incoming)
    replaced_to = None
    if target.exists():
        replaced_to = backup_dir / "replaced_pretrained"
        shutil.move(str(target), replaced_to)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(incoming), target)
    return Installed(target, len(exported), replaced_to, provenance.write(submission_dir))
