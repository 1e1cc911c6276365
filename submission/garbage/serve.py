"""The contract's predict loop: ready line, then one JSON answer per JSON request line.

stdout carries answers only: before anything is imported, file descriptor 1
is pointed at stderr and answers go to a private copy of the real stdout, so
TensorFlow's and Keras's prints and progress bars can never corrupt it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from garbage.tf_switches import set_before_import


def _private_stdout():
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answers


def main() -> int:
    answers = _private_stdout()
    set_before_import(log_level="3")
    model_dir = os.environ.get("MODEL_INFERENCE_PATH") or os.environ.get("IMAGE_MODEL_PACKAGE_PATH")
    if not model_dir:
        print("predict: set MODEL_INFERENCE_PATH (see docs/contract.md)", file=sys.stderr)
        return 2
    import keras

    from garbage.predictor import Predictor

    predictor = Predictor(Path(model_dir))
    print(f"predict: keras {keras.backend.backend()} backend", file=sys.stderr)
    predictor.warm_up()
    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = predictor.answer(request)
        except Exception as exc:  # one bad image must not end the phase
            print(f"predict: {request.get('id')}: {exc}", file=sys.stderr)
            reply = {"id": request.get("id"), "label": predictor.classes[0]}
        answers.write(json.dumps(reply, ensure_ascii=False) + "\n")
    answers.flush()
    return 0
