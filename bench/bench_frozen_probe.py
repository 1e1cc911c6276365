"""Frozen features + logistic regression, per backbone and input size, with or without the
validation hold-out: cheap probes of two budgeted-run questions before spending 52 minutes on
three seeds of `bench_reference.py --parts b`.

- Input size: does a backbone read above its native size (Lite0 at 260 or 300 px instead
  of 224) give better frozen features?
- Hold-out: what do the 15 % of training images kept for validation cost, when the same
  classifier trains on the other 85 %?

Pooled features of every image are computed once per (backbone, size), plain images only;
features and classifier are the baseline's (`bench_reference.py`), trained per
split seed and initialisation seed; test accuracy is on each split's 20 % test part,
averaged over the initialisations, then mean ± SEM over the split seeds; the hold-out's
cost is the paired difference per split.

    .venv/bin/python bench/bench_frozen_probe.py [--sizes efficientnet_lite0:224 ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import keras
import numpy as np
from bench_reference import fit_softmax, frozen_pooled  # also puts submission/ on sys.path
from garbage import backbones, ensemble
from garbage.images import list_dataset, stratified_split

DEFAULT_SIZES = (
    "efficientnet_lite0:224",
    "efficientnet_lite0:260",
    "efficientnet_lite0:300",
    "efficientnet_lite2:260",
    "efficientnet_lite2:300",
)


def pooled_features(name: str, size: int, paths: list[Path]) -> np.ndarray:
    """Every image's pooled features, the backbone read at `size` pixels."""
    spec = backbones.get_spec(name, size)
    return frozen_pooled(spec, spec.build(spec, 0, spec.weights_path()), paths)


def held_out_accuracy(x, y, train, test, n_classes: int, init_seed: int) -> float:
    keras.utils.set_random_seed(init_seed)
    model = fit_softmax(x[train], y[train], n_classes)
    return ensemble.accuracy(np.asarray(model.predict(x[test], verbose=0)), y[test])


def mean_sem(values: list[float]) -> tuple[float, float]:
    return statistics.mean(values), statistics.stdev(values) / len(values) ** 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/trashnet"))
    parser.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES, help="backbone:pixels")
    parser.add_argument("--split-seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--init-seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--held-back", type=float, default=0.15)
    parser.add_argument("--out", type=Path, default=Path("runs/bench_frozen_probe.json"))
    args = parser.parse_args()
    data = list_dataset(args.data)
    n_classes = len(data.classes)
    rows = []
    for item in args.sizes:
        name, size = item.split(":")
        t0 = time.time()
        x = pooled_features(name, int(size), data.paths)
        scores: dict[str, list[float]] = {"all": [], "held_back": []}
        for split_seed in args.split_seeds:
            train, test = stratified_split(data.labels, 0.2, split_seed)
            kept, _ = stratified_split(data.labels[train], args.held_back, split_seed)
            for key, rows_used in (("all", train), ("held_back", train[kept])):
                runs = [
                    held_out_accuracy(x, data.labels, rows_used, test, n_classes, init_seed)
                    for init_seed in args.init_seeds
                ]
                scores[key].append(100 * statistics.mean(runs))
        paired = zip(scores["all"], scores["held_back"], strict=True)
        scores["hold_out_cost"] = [whole - part for whole, part in paired]
        row = {"backbone": name, "size": int(size), "seconds": round(time.time() - t0, 1)}
        for key, per_split in scores.items():
            mean, sem = mean_sem(per_split)
            row[key] = {"mean": round(mean, 2), "sem": round(sem, 2), "per_split": per_split}
        rows.append(row)
        print(
            f"{name} at {size} px: "
            + ", ".join(f"{k} {row[k]['mean']:.2f} ± {row[k]['sem']:.2f}" for k in scores)
            + f" ({row['seconds']:.0f} s)",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"data": str(args.data), "rows": rows}, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
