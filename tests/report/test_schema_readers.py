"""Every reader of report.json names only keys the schema declares (harness/report/schema.py).

A key renamed in the writer and the schema, but not in a reader, fails here and
names the reader; mypy checks subscripts of the TypedDicts but not `.get`, which
the readers use for parts an older or failed run may lack, so this test reads
both forms from the readers' source.
"""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

from harness.report import schema
from harness.report.document import PHASE_NAMES
from harness.settings.table import SETTINGS

REPO = Path(__file__).resolve().parents[2]
READERS = (
    "harness/report/page.py",
    "harness/report/compare.py",
    "harness/report/document.py",
    "harness/report/run_folder.py",
    "harness/upload/gate.py",
    "harness/environments/tune.py",
    "harness/environments/pretrain.py",
    "harness/cli/progress.py",
)


def declared_keys() -> set[str]:
    """Every key of every TypedDict in the schema, phase names, and the profile's settings."""
    keys = {"name", *PHASE_NAMES, *SETTINGS}
    for value in vars(schema).values():
        if isinstance(value, type) and typing.is_typeddict(value):
            keys |= set(value.__annotations__)
    return keys


def keys_read(source: str) -> set[str]:
    """String keys read by `x.get("key", ...)` or `x["key"]` in `source`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            found.add(node.slice.value)
    return {key for key in found if isinstance(key, str)}


@pytest.mark.parametrize("reader", READERS)
def test_a_reader_reads_only_declared_keys(reader: str):
    unknown = keys_read((REPO / reader).read_text(encoding="utf-8")) - declared_keys()
    assert not unknown, f"{reader} reads keys that harness/report/schema.py lacks: {unknown}"


def test_a_renamed_key_is_caught():
    source = 'def show(report):\n    return report["score"].get("acuracy"), report["verdikt"]\n'
    assert keys_read(source) - declared_keys() == {"acuracy", "verdikt"}
