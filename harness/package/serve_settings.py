"""How the platform was told to serve a team's SavedModel: `[predict] serve = "savedmodel"`.

The 2019 platform ran the exported model itself (Analytics Zoo's
`InferenceModel.doLoadTF(path, inputShape, reverseChannels, meanValues, scale,
inputName)` over OpenVINO, on CPU); the team only declared the preprocessing.
These are those declarations, checked where they are written, so a mistake is
named with its file and field before anything runs (docs/platform.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.errors import UserError

SERVE_KINDS = ("savedmodel",)
LABELS_FILE = "class_index.txt"
SERVE_FIELDS = ("serve", "input_size", "mean", "scale", "reverse_channels", "input_name", "labels")
EXAMPLE = """\
    [predict]
    serve = "savedmodel"
    input_size = 224          # or [height, width]
    mean = [123.68, 116.78, 103.94]
    scale = 1.0
    reverse_channels = false"""


@dataclass(frozen=True)
class ServeSettings:
    """The platform's preprocessing: RGB, resized, channels maybe reversed, (x - mean) / scale."""

    input_size: tuple[int, int]  # height, width
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    reverse_channels: bool = False
    input_name: str | None = None  # None: the model's only input
    labels: str = LABELS_FILE  # `name index` lines, in MODEL_INFERENCE_PATH or the package

    def to_dict(self) -> dict:
        return {"serve": "savedmodel", **asdict(self)}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _per_channel(table: dict, name: str, default: float, where: str) -> tuple[float, float, float]:
    """One number for all three channels, or one per channel."""
    value = table.get(name, default)
    if _number(value):
        return (float(value),) * 3
    if isinstance(value, list) and len(value) == 3 and all(_number(v) for v in value):
        return tuple(float(v) for v in value)
    raise UserError(
        f"{where}: '{name}' must be a number or a list of 3 numbers (one per channel), "
        f"got {value!r}.",
        hint=f"a served predict table looks like:\n{EXAMPLE}",
    )


def _input_size(table: dict, where: str) -> tuple[int, int]:
    value = table.get("input_size")
    if value is None:
        raise UserError(
            f"{where}: serving a SavedModel needs 'input_size', the side the model expects.",
            hint=f"a served predict table looks like:\n{EXAMPLE}",
        )
    sides = [value, value] if isinstance(value, int) and not isinstance(value, bool) else value
    if (
        not isinstance(sides, list)
        or len(sides) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sides)
    ):
        raise UserError(
            f"{where}: 'input_size' must be a positive integer or [height, width], got {value!r}."
        )
    return sides[0], sides[1]


def parse_serve(table: dict[str, Any], where: str) -> ServeSettings:
    """The checked settings of a predict table that has `serve`; `where` names the file."""
    kind = table.get("serve")
    if kind not in SERVE_KINDS:
        raise UserError(
            f"{where}: 'serve' must be one of {', '.join(map(repr, SERVE_KINDS))}, got {kind!r}."
        )
    unknown = sorted(set(table) - set(SERVE_FIELDS) - {"env"})
    if unknown:
        raise UserError(
            f"{where}: unknown field(s) for a served predict: {', '.join(unknown)}.",
            hint=f"the fields are: {', '.join(SERVE_FIELDS)}.",
        )
    scale = _per_channel(table, "scale", 1.0, where)
    if 0.0 in scale:
        raise UserError(f"{where}: 'scale' divides the pixels, so it cannot be 0.")
    reverse = table.get("reverse_channels", False)
    if not isinstance(reverse, bool):
        raise UserError(f"{where}: 'reverse_channels' must be true or false, got {reverse!r}.")
    input_name = table.get("input_name")
    if input_name is not None and (not isinstance(input_name, str) or not input_name):
        raise UserError(f"{where}: 'input_name' must be a non-empty string, got {input_name!r}.")
    labels = table.get("labels", LABELS_FILE)
    if not isinstance(labels, str) or not labels or Path(labels).is_absolute() or ".." in labels:
        raise UserError(
            f"{where}: 'labels' must be a file name relative to the model or package folder, "
            f"got {labels!r}."
        )
    return ServeSettings(
        input_size=_input_size(table, where),
        mean=_per_channel(table, "mean", 0.0, where),
        scale=scale,
        reverse_channels=reverse,
        input_name=input_name,
        labels=labels,
    )
