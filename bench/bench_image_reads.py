"""Image reads per command, with and without `each_image_once` (harness/data/image_reads.py).

Counts the raw decode checks and content hashes of images that `simulate`,
`tune` (one variant besides the baseline) and `pretrain` make, running each
command for real on the constant toy (its time includes copying the toy),
and times `simulate`'s preparation alone (with and without a provenance file
in the submission, which adds the leakage check's hashes). "Without" is the
same code in the same process with the memory's lookup bypassed: every read
goes to the file, as before the memory existed. Each timed row first runs once
untimed (counted, and warming the page cache), then `--repeats` times.

    .venv/bin/python bench/bench_image_reads.py [--data ../shared/data/trashnet] [--repeats 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import harness.data.image_reads as image_reads
from harness.data.scan import scan_dataset
from harness.environments.pretrain import pretrain
from harness.environments.tune import tune
from harness.errors import UserError
from harness.package.provenance import Provenance, TrainedImage
from harness.run.preparation import prepare
from harness.run.simulate import simulate
from harness.settings.config import resolve_config

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "toys" / "constant"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "trashnet"
MODES = ("with", "without")


@dataclass
class Reads:
    """Raw image reads made while counting: decode checks and content hashes."""

    decodes: int = 0
    hashes: int = 0


@contextlib.contextmanager
def counting_reads() -> Iterator[Reads]:
    """Count the raw reads `image_problem` and `image_sha256` pass through to the file."""
    reads = Reads()
    raw_decode, raw_hash = image_reads.decode_image, image_reads.file_sha256

    def decode(path: Path) -> image_reads.Decoded:
        reads.decodes += 1
        return raw_decode(path)

    def sha256(path: Path) -> str:
        reads.hashes += 1
        return raw_hash(path)

    image_reads.decode_image, image_reads.file_sha256 = decode, sha256
    try:
        yield reads
    finally:
        image_reads.decode_image, image_reads.file_sha256 = raw_decode, raw_hash


@contextlib.contextmanager
def memory(mode: str) -> Iterator[None]:
    """`with`: the code as it is; `without`: every read goes to the file, as before the memory."""
    if mode == "with":
        yield
        return
    remembering = image_reads._once
    image_reads._once = lambda kind, path, compute: compute(path)
    try:
        yield
    finally:
        image_reads._once = remembering


def toy_copy(scratch: Path, name: str, provenance: bool = False) -> Path:
    """A fresh copy of the constant toy; with a provenance file naming no image of the set."""
    submission = Path(shutil.copytree(TOY, scratch / name))
    if provenance:
        elsewhere = [TrainedImage("0" * 64, "elsewhere", "elsewhere/none.jpg")]
        Provenance("now", "bench", "pretrain", "elsewhere", {}, {}, "0" * 64, {}, elsewhere).write(
            submission
        )
    return submission


def settings(submission: Path, data: Path, scratch: Path) -> dict:
    return {"submission": str(submission), "data": str(data), "runs_dir": str(scratch / "runs")}


def simulate_preparation(data: Path, scratch: Path, provenance: bool) -> Callable[[], None]:
    submission = toy_copy(scratch, f"toy-prepare-{provenance}", provenance)
    config = resolve_config({**settings(submission, data, scratch), "profile": "smoke"})

    def work() -> None:
        prepare(config)

    return work


def whole_commands(data: Path, scratch: Path) -> dict[str, Callable[[], object]]:
    """The commands themselves, each on its own fresh toy copy (pretrain installs into it)."""
    variant = scratch / "variant.toml"
    variant.write_text("epochs = 1\n", encoding="utf-8")

    def run_simulate() -> object:
        shutil.rmtree(scratch / "commands", ignore_errors=True)
        submission = toy_copy(scratch / "commands", "simulate", provenance=True)
        config = {**settings(submission, data, scratch), "profile": "smoke"}
        return simulate(resolve_config(config))

    def run_tune() -> object:
        shutil.rmtree(scratch / "commands", ignore_errors=True)
        return tune(settings(toy_copy(scratch / "commands", "tune"), data, scratch), [variant])

    def run_pretrain() -> object:
        shutil.rmtree(scratch / "commands", ignore_errors=True)
        return pretrain(settings(toy_copy(scratch / "commands", "pretrain"), data, scratch))

    return {
        "`simulate --profile smoke`, submission with provenance.json": run_simulate,
        "`tune`, one variant (2 runs)": run_tune,
        "`pretrain`": run_pretrain,
    }


def measured(work: Callable[[], object], mode: str, repeats: int) -> tuple[Reads, list[float]]:
    """One counted run (untimed, it also warms the page cache), then `repeats` timed ones."""
    with memory(mode):
        with counting_reads() as reads:
            work()
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - started)
    return reads, seconds


def print_table(title: str, works: dict[str, Callable[[], object]], repeats: int) -> None:
    print(f"\n| {title} | memory | decodes | hashes | median s | min s |")
    print("|---|---|---|---|---|---|")
    for label, work in works.items():
        for mode in MODES:
            reads, seconds = measured(work, mode, repeats)
            print(
                f"| {label} | {mode} | {reads.decodes} | {reads.hashes} | "
                f"{statistics.median(seconds):.2f} | {min(seconds):.2f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="<set>/<class>/<image>")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per row (median)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be 1 or more")
    try:
        images = scan_dataset(args.data).image_count
    except UserError as error:
        parser.exit(2, f"error: {error}\n")
    data = Path(args.data).resolve()
    with tempfile.TemporaryDirectory(prefix="bench_image_reads_") as scratch_name:
        scratch = Path(scratch_name)
        shared = os.stat(scratch).st_dev == os.stat(data).st_dev
        print(
            f"{data}: {images} readable images; {args.repeats} timed runs per row; "
            f"staged and viewed images are {'hard links' if shared else 'copies'} "
            f"(scratch folder {'on' if shared else 'off'} the data's file system)"
        )
        print_table("command", whole_commands(data, scratch), args.repeats)
        image_work = {
            "`simulate` preparation": simulate_preparation(data, scratch, provenance=False),
            "`simulate` preparation, with provenance.json": simulate_preparation(
                data, scratch, provenance=True
            ),
        }
        print_table("image work", image_work, args.repeats)


if __name__ == "__main__":
    main()
