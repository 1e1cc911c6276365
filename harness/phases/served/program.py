"""The platform's side of prediction: serve $MODEL_INFERENCE_PATH/SavedModel with OpenVINO on CPU.

Launched by the harness as the predict phase's program (same runner, sandbox,
limits and timing as a team's own predict program), so it imports nothing
from the harness: only numpy, Pillow and openvino. Its one argument is a JSON
object: the serving settings (harness.package.serve_settings) and the class
names. A problem found before it is ready is printed as one line
`{"failure": <status>, "reason": <sentence>}`, and the program exits 2.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image


class ServeFailure(Exception):
    """A reason the model cannot be served, with the status the harness reports."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def read_labels(model_dir: Path, package_dir: Path, name: str, classes: list[str]) -> list[str]:
    """Output index -> label from `name index` lines; the model folder is looked in first."""
    candidates = [model_dir / name, package_dir / name]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ServeFailure(
            "labels_mismatch",
            f"No labels file {name} in the model folder or the package, so the model's "
            "outputs cannot be named.",
        )
    by_index: dict[int, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        label, _, index = line.strip().rpartition(" ")
        if not label or not index.isdigit() or int(index) in by_index:
            raise ServeFailure(
                "labels_mismatch",
                f"{name} line {number} is not a 'name index' line with a new index: {line!r}.",
            )
        by_index[int(index)] = label.strip()
    if sorted(by_index) != list(range(len(by_index))):
        last = len(by_index) - 1
        raise ServeFailure("labels_mismatch", f"{name}: the indices are not 0 to {last}.")
    labels = [by_index[i] for i in range(len(by_index))]
    missing, unknown = sorted(set(classes) - set(labels)), sorted(set(labels) - set(classes))
    if missing or unknown:
        raise ServeFailure(
            "labels_mismatch",
            f"{name} does not match the classes: missing {missing[:5]}, not a class {unknown[:5]}.",
        )
    return labels


def _side(dimension) -> int | None:
    return None if dimension.is_dynamic else dimension.get_length()


def load_model(model_dir: Path, settings: dict, label_count: int):
    """The compiled model and its input's name, on this process's CPUs, or a ServeFailure."""
    import openvino as ov

    saved = model_dir / "SavedModel"
    if not (saved / "saved_model.pb").is_file():
        raise ServeFailure(
            "no_savedmodel",
            f"No SavedModel at {saved} (no saved_model.pb): training exported none.",
        )
    core = ov.Core()
    try:
        model = core.read_model(str(saved))
    except Exception as error:  # OpenVINO raises its own RuntimeError subclasses
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        reason = f"OpenVINO cannot read the SavedModel: {first}"
        raise ServeFailure("model_unreadable", reason) from None
    names = [sorted(i.get_names())[0] if i.get_names() else "" for i in model.inputs]
    wanted = settings["input_name"]
    if wanted is None and len(names) != 1:
        raise ServeFailure(
            "serve_settings_invalid",
            f"The model has {len(names)} inputs ({', '.join(names)}); set input_name to one.",
        )
    match = [i for i in model.inputs if wanted is None or wanted in i.get_names()]
    if not match:
        raise ServeFailure(
            "serve_settings_invalid",
            f"input_name {wanted!r} is not an input of the model (its inputs: {', '.join(names)}).",
        )
    port = match[0]
    height, width = settings["input_size"]
    shape = port.get_partial_shape()
    sides = [_side(d) for d in shape] if shape.rank.is_static else []
    if (
        len(sides) != 4
        or sides[3] not in (None, 3)
        or sides[1] not in (None, height)
        or sides[2] not in (None, width)
    ):
        raise ServeFailure(
            "input_size_mismatch",
            f"The model's input is {shape}, which a {height}x{width} RGB image "
            "([1, height, width, 3]) does not fit.",
        )
    model.reshape({port.get_any_name(): [1, height, width, 3]})
    outputs = model.outputs[0].get_partial_shape()
    width_out = _side(outputs[outputs.rank.get_length() - 1]) if outputs.rank.is_static else None
    if width_out != label_count:
        raise ServeFailure(
            "labels_mismatch",
            f"The model gives {outputs} outputs, but the labels file names {label_count} classes.",
        )
    threads = len(os.sched_getaffinity(0))
    compiled = core.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads})
    return compiled, port.get_any_name()


def preprocess(path: str, settings: dict) -> np.ndarray:
    """Decoded to RGB, resized, channels reversed if asked, then (x - mean) / scale per channel."""
    height, width = settings["input_size"]
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB").resize((width, height), Image.BILINEAR))
    pixels = pixels.astype(np.float32)
    if settings["reverse_channels"]:
        pixels = pixels[..., ::-1]
    mean = np.asarray(settings["mean"], dtype=np.float32)
    scale = np.asarray(settings["scale"], dtype=np.float32)
    return ((pixels - mean) / scale)[np.newaxis]


def serve(settings: dict, classes: list[str]) -> None:
    """Load, say ready, then answer one request per line until stdin closes."""
    model_dir = Path(os.environ["MODEL_INFERENCE_PATH"])
    try:
        labels = read_labels(model_dir, Path.cwd(), settings["labels"], classes)
        compiled, input_name = load_model(model_dir, settings, len(labels))
    except ServeFailure as failure:
        print(json.dumps({"failure": failure.status, "reason": failure.reason}), flush=True)
        sys.exit(2)
    request_line = compiled.create_infer_request()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        started = time.perf_counter()
        batch = preprocess(request["path"], settings)
        prepared = time.perf_counter()
        scores = request_line.infer({input_name: batch})[0][0]
        inferred = time.perf_counter()
        answer = {
            "id": request["id"],
            "label": labels[int(np.argmax(scores))],
            "scores": {label: float(score) for label, score in zip(labels, scores, strict=True)},
            "timing": {"preprocess_s": prepared - started, "inference_s": inferred - prepared},
        }
        print(json.dumps(answer, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    arguments = json.loads(sys.argv[1])
    serve(arguments["settings"], arguments["classes"])
