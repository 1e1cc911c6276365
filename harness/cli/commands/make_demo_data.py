"""`onlinesim make-demo-data`: write the generated default data set (no photos needed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.data.demo import DEMO_CLASSES, make_image_set
from harness.errors import UserError

NAME = "make-demo-data"
HELP = "Write a generated image set (one colour and shape per class) for a first run."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("local_data/demo"), help="new folder")
    parser.add_argument("--per-class", type=int, default=40, help="images per class")
    parser.add_argument("--size", type=int, default=64, help="image side in pixels")
    parser.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> int:
    if args.out.exists() and any(args.out.iterdir()):
        raise UserError(
            f"{args.out} already exists and is not empty; nothing was written.",
            hint="pass another --out, or delete the folder first.",
        )
    if args.per_class < 1 or args.size < 8:
        raise UserError("--per-class must be at least 1 and --size at least 8.")
    make_image_set(args.out, DEMO_CLASSES, args.per_class, size=args.size, seed=args.seed)
    total = args.per_class * len(DEMO_CLASSES)
    print(f"wrote {total} images in {len(DEMO_CLASSES)} classes to {args.out}")
    return 0
