"""Look for the answer key the way a cheating submission would.

Walks up from every path it was given, and searches each ancestor two levels
deep for CSV files that pair image ids with labels. Logs what it searched and
what it found, so a test can read the verdict in the phase log.
"""

import csv
import os
import sys
from pathlib import Path

SKIP = {"/proc", "/sys", "/dev", "/usr", "/lib", "/bin", "/sbin", "/etc", "/var", "/boot"}
ID_COLUMNS = ("id", "image", "file", "filename", "path")
LABEL_COLUMNS = ("label", "class", "true", "answer")
MAX_ENTRIES = 20000


def _labels_in(path: Path) -> dict[str, str]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    if not rows:
        return {}
    id_column = next((c for c in ID_COLUMNS if c in rows[0]), None)
    label_column = next((c for c in LABEL_COLUMNS if c in rows[0]), None)
    if id_column is None or label_column is None:
        return {}
    return {Path(row[id_column]).stem: row[label_column] for row in rows}


def _csv_files(folder: Path, depth: int, budget: list[int]):
    if str(folder) in SKIP or depth < 0:
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        budget[0] -= 1
        if budget[0] < 0:
            return
        if entry.is_file() and entry.name.lower().endswith(".csv"):
            yield Path(entry.path)
        elif entry.is_dir(follow_symlinks=False):
            yield from _csv_files(Path(entry.path), depth - 1, budget)


def hunt(starts: list[str]) -> dict[str, str]:
    """Every id -> label pair found in CSV files near the given paths."""
    folders: list[Path] = []
    for start in filter(None, starts):
        for folder in (Path(start).resolve(), *Path(start).resolve().parents):
            if folder not in folders:
                folders.append(folder)
    found: dict[str, str] = {}
    seen: set[Path] = set()
    budget = [MAX_ENTRIES]
    for folder in folders:
        for path in _csv_files(folder, 2, budget):
            if path in seen:
                continue
            seen.add(path)
            labels = _labels_in(path)
            if labels:
                print(f"toy hunt: found {len(labels)} labels in {path}", file=sys.stderr)
                found.update(labels)
    if not found:
        print(f"toy hunt: searched {len(folders)} folders, found nothing", file=sys.stderr)
    sys.stderr.flush()
    return found
