"""A small but valid submission folder: the package and upload tests' subject."""

from __future__ import annotations

from pathlib import Path

MANIFEST = """name = "tiny-entry"

[train]
command = ["python", "train.py"]

[predict]
command = ["python", "predict.py"]
"""


def write_submission(root: Path) -> Path:
    """A valid submission: manifest, two scripts, a weights file, requirements."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "submission.toml").write_text(MANIFEST, encoding="utf-8")
    (root / "train.py").write_text("print('train')\n", encoding="utf-8")
    (root / "predict.py").write_text("print('predict')\n", encoding="utf-8")
    (root / "requirements.txt").write_text("numpy\n", encoding="utf-8")
    (root / "weights").mkdir(exist_ok=True)
    (root / "weights" / "base.bin").write_bytes(bytes(range(256)) * 64)
    return root
