"""Shared by the hostile toys: say blocked (export a model, exit 0) or escaped (exit 3)."""

import os
import sys
from pathlib import Path


def blocked(what: str) -> None:
    print(f"hostile blocked: {what}", flush=True)
    model = Path(os.environ["MODEL_INFERENCE_PATH"])
    (model / "label.txt").write_text("cardboard", encoding="utf-8")
    sys.exit(0)


def escaped(what: str) -> None:
    print(f"hostile escaped: {what}", flush=True)
    sys.exit(3)
