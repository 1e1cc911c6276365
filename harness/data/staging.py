"""Staging the hidden split: what the submission may see, and the key it may not.

Training images are drawn from the hold-out pool, test images from the
reserve, both stratified by class and seeded. Training images are hard links
(fast, no extra space) with a copy as the fallback across file systems. Test
images are always copies under random names, written in random order: a hard
link would share the inode with the labelled original and leak the label.
The answer key lives only in the returned Stage, in memory.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from harness.data.holdout import Holdout
from harness.data.image_reads import copy_image
from harness.errors import UserError
from harness.settings.run_layout import RunLayout


@dataclass(frozen=True)
class SplitRequest:
    """What the profile asks for and how strictly."""

    train_images: int | str
    test_images: int | str
    seed: int
    when_short: str = "scale_down"
    min_train_per_class: int = 1
    min_test_images: int = 1


@dataclass
class SplitPlan:
    """Which source images go where; nothing is on disk yet."""

    train: dict[str, list[Path]]
    test: dict[str, list[Path]]
    requested: dict[str, int | str]
    scaled_down: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def train_count(self) -> int:
        return sum(len(files) for files in self.train.values())

    @property
    def test_count(self) -> int:
        return sum(len(files) for files in self.test.values())


@dataclass
class Stage:
    """The staged folders, the requests to send, and the answer key (memory only)."""

    root: Path
    train_dir: Path
    test_dir: Path
    requests: list[tuple[str, Path]]
    answer_key: dict[str, str]
    sources: dict[str, Path]
    plan: SplitPlan


def allocate(total: int, sizes: Mapping[str, int], floor: int = 0) -> dict[str, int]:
    """`total` over classes: `floor` each first, the rest in proportion (largest remainder)."""
    counts = {label: min(floor, size) for label, size in sizes.items()}
    rest = total - sum(counts.values())
    room = {label: size - counts[label] for label, size in sizes.items()}
    room_total = sum(room.values())
    if rest <= 0 or room_total == 0:
        return counts
    rest = min(rest, room_total)
    quotas = {label: rest * r / room_total for label, r in room.items()}
    for label, quota in quotas.items():
        counts[label] += math.floor(quota)
    left = rest - sum(math.floor(q) for q in quotas.values())
    by_remainder = sorted(quotas, key=lambda label: (-(quotas[label] % 1), label))
    for label in by_remainder[:left]:
        counts[label] += 1
    return counts


def _scale(request: SplitRequest, pool: int, reserve: int) -> tuple[int, int, float]:
    train = pool if request.train_images == "all" else int(request.train_images)
    test = reserve if request.test_images == "all" else int(request.test_images)
    factor = min(1.0, pool / train if train else 1.0, reserve / test if test else 1.0)
    if factor < 1.0:
        train, test = math.floor(train * factor), math.floor(test * factor)
    return train, test, factor


def plan_split(holdout: Holdout, request: SplitRequest) -> SplitPlan:
    """Choose the images: scale down (with a warning) or refuse when the data is short."""
    pool_sizes = {label: len(files) for label, files in holdout.pool.items()}
    reserve_sizes = {label: len(files) for label, files in holdout.reserve.items()}
    pool, reserve = sum(pool_sizes.values()), sum(reserve_sizes.values())
    asked = f"{request.train_images} train / {request.test_images} test images"
    train, test, factor = _scale(request, pool, reserve)
    plan = SplitPlan(
        train={},
        test={},
        requested={"train_images": request.train_images, "test_images": request.test_images},
        scaled_down=factor < 1.0,
    )
    have = f"the data holds {pool} training-pool and {reserve} reserved test images"
    if plan.scaled_down:
        if request.when_short == "refuse":
            raise UserError(
                f"the profile asks for {asked}, but {have}.",
                hint="add images, pick a smaller profile, or --set when_short=scale_down.",
            )
        plan.warnings.append(
            f"Scaled down: the profile asks for {asked}, but {have}; "
            f"staged {train} / {test} (x{factor:.3f}, proportions kept)."
        )
    classes = len(pool_sizes)
    if train < classes * request.min_train_per_class or any(
        size < request.min_train_per_class for size in pool_sizes.values()
    ):
        raise UserError(
            f"too few training images: {train} for {classes} classes, at least "
            f"{request.min_train_per_class} per class needed ({have}).",
            hint="add images or ask for more with --set train_images=N.",
        )
    if test < request.min_test_images:
        raise UserError(
            f"too few test images: {test}, at least {request.min_test_images} needed ({have}).",
            hint="add images, raise --set test_images=N or --set holdout_fraction=F.",
        )
    rng = np.random.default_rng(request.seed)
    train_counts = allocate(train, pool_sizes, floor=request.min_train_per_class)
    test_counts = allocate(test, reserve_sizes)
    for label in pool_sizes:
        plan.train[label] = _choose(rng, holdout.pool[label], train_counts[label])
        plan.test[label] = _choose(rng, holdout.reserve[label], test_counts[label])
    return plan


def _choose(rng: np.random.Generator, files: list[Path], count: int) -> list[Path]:
    picked = rng.choice(len(files), size=count, replace=False) if count else []
    return sorted(files[index] for index in picked)


def link_or_copy(source: Path, target: Path, link: bool = True) -> None:
    """A hard link when asked and the file system allows it, else a copy.

    A copy inherits what the command already learned of its source (decode
    check, content hash), so it is not read again.
    """
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    copy_image(source, target)


def stage_split(plan: SplitPlan, layout: RunLayout, link: bool = True) -> Stage:
    """Write the plan to the run's stage/train and stage/test; return the stage and its key.

    `link=False` copies the training images too: right when the runner cannot
    keep the phase from writing to them, since a hard link is the user's file.
    """
    stage_root, train_dir, test_dir = layout.stage, layout.stage_train, layout.stage_test
    if stage_root.exists() and any(stage_root.iterdir()):
        raise UserError(f"stage folder {stage_root} is not empty; refusing to mix two splits.")
    stage = Stage(stage_root, train_dir, test_dir, [], {}, {}, plan)
    for label, files in plan.train.items():
        folder = train_dir / label
        folder.mkdir(parents=True)
        for source in files:
            link_or_copy(source, folder / source.name, link)
    test_dir.mkdir(parents=True)
    items = [(label, source) for label, files in plan.test.items() for source in files]
    order = secrets.SystemRandom()
    order.shuffle(items)
    for label, source in items:
        image_id = secrets.token_hex(8)
        target = test_dir / f"{image_id}{source.suffix.lower()}"
        shutil.copyfile(source, target)
        stage.requests.append((image_id, target))
        stage.answer_key[image_id] = label
        stage.sources[image_id] = source
    return stage
