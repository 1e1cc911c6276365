"""Reference submission on real photos: the technique ladder, a budgeted run, predict latency.

Part A (cheap comparisons on one feature cache): frozen Lite0/Lite2 features of
a seeded train/test split, then head variants trained on the same cache (dense
vs SVD+SE, +/- cost loss, +/- mixup, +/- label smoothing, focal), fine-tuning of
the top block for a fixed time, and the two-backbone ensemble; test accuracy
and seconds of each.
Every run first reports the baseline each configuration is judged against:
frozen Lite0 pooled features of the plain training images and one
logistic-regression layer (issue 13).
Part B (one budgeted run): the submission's own train.py under the harness's
process runner with the given budget, then predict.py answering the test
images one by one: test accuracy, the exports and timed steps (decode,
features per backbone and copy, with their rates) from the metrics file, the
metrics file itself (every epoch's line), and batch-1 latency percentiles.
With --paired-tta, the same trained model is served a second time with flip
TTA switched the other way: a paired comparison, free of the run-to-run noise
of a second training.

    .venv/bin/python bench/bench_reference.py --data /work/shared/data/trashnet --budget 900
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "submission"))
from garbage.tf_switches import set_before_import  # noqa: E402

set_before_import(log_level="2")  # the baseline runs TensorFlow as the submission does
import keras  # noqa: E402
from garbage import augment, backbones, ensemble, features, heads, image_cache  # noqa: E402
from garbage.budget import Budget  # noqa: E402
from garbage.config import OVERRIDE_ENV, load_config  # noqa: E402
from garbage.images import list_dataset, stratified_split  # noqa: E402
from garbage.metrics import MetricsLog  # noqa: E402
from garbage.training import Trainer  # noqa: E402

from harness.phases import PredictLimits, PredictRequest, run_predict, run_train  # noqa: E402
from harness.phases.contract_env import (  # noqa: E402
    RunFolders,
    make_scratch,
    predict_variables,
    train_variables,
)
from harness.phases.outcome import Status  # noqa: E402
from harness.report.summaries import timed_steps  # noqa: E402
from harness.runners import create_runner  # noqa: E402
from harness.runners.base import Limits  # noqa: E402
from harness.settings.run_layout import RunLayout  # noqa: E402

PROFILE = "bench"  # not a profile of profiles.toml: the bench sets its own budget and limits


def stage(data: Path, layout: RunLayout, test_fraction: float, seed: int):
    """Copy a seeded stratified split: train/<class>/..., test/<id>.jpg, truth by id."""
    ds = list_dataset(data)
    train_idx, test_idx = stratified_split(ds.labels, test_fraction, seed)
    train_dir, test_dir = layout.stage_train, layout.stage_test
    for i in train_idx:
        target = train_dir / ds.classes[ds.labels[i]] / ds.paths[i].name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ds.paths[i], target)
    test_dir.mkdir(parents=True)
    truth = {}
    for n, i in enumerate(test_idx):
        shutil.copy(ds.paths[i], test_dir / f"t{n:04d}.jpg")
        truth[f"t{n:04d}"] = ds.classes[ds.labels[i]]
    return train_dir, test_dir, truth


def part_a(
    train_dir: Path, test_dir: Path, truth: dict, finetune_s: float, config: Path | None
) -> list[dict]:
    rows = []
    cfg = load_config({OVERRIDE_ENV: str(config)} if config else {})
    far = Budget(time.time() + 1e6, 0)
    trainer = Trainer(cfg, train_dir, Path(tempfile.mkdtemp()), far, MetricsLog(None))
    test_paths = sorted(test_dir.glob("*.jpg"))
    test_images = decode(test_paths, trainer.pixel_cache().size)
    everything = np.arange(len(test_paths))
    y_test = np.asarray([trainer.data.classes.index(truth[p.stem]) for p in test_paths])
    members, tests = {}, {}

    def test_probs(member, flip: bool) -> np.ndarray:
        acts = tests[member.spec.name][: 2 if flip else 1]
        outs = [member.head.predict_on_batch(features.pooled(member.parts.top, a)) for a in acts]
        return np.mean([np.asarray(o) for o in outs], axis=0)

    for name in cfg.backbones:
        t0 = time.time()
        member = trainer.add_member(name, first=True)
        seconds = time.time() - t0
        ex = features.Extractor.build(member.spec, member.parts.bottom, test_images.size)
        tests[name] = [
            features.split_activations(ex, test_images, everything, copy, 0, "test")[0]
            for copy in (0, augment.MIRRORED)
        ]
        members[name] = member
        test_acc = ensemble.accuracy(test_probs(member, False), y_test)
        rows.append(row(f"{name}: features + default head", member.val_accuracy, test_acc, seconds))
        flip_acc = ensemble.accuracy(test_probs(member, True), y_test)
        rows.append(row(f"{name}: default head + flip TTA", None, flip_acc, 0.0))
    plain = dict(cost_table="", mixup_alpha=0.0, label_smoothing=0.0)
    variants = [
        ("frozen features, dense head, plain CE", dict(plain, head="dense")),
        ("+ SVD/SE attention head", dict(plain, head="se")),
        ("SE + cost loss", dict(plain, head="se", cost_table=cfg.cost_table)),
        ("SE + mixup", dict(plain, head="se", mixup_alpha=cfg.mixup_alpha)),
        ("SE + label smoothing", dict(plain, head="se", label_smoothing=cfg.label_smoothing)),
        ("SE + focal loss", dict(plain, head="se", loss="focal")),
        ("dense + cost + mixup + smoothing", dict(head="dense")),
        ("SE + cost + mixup + smoothing", dict(head="se")),
    ]
    for name, member in members.items():
        train_feats = features.pooled(member.parts.top, member.train_act)
        val_feats = features.pooled(member.parts.top, member.val_act)
        test_feats = features.pooled(member.parts.top, tests[name][0])
        for label, overrides in variants:
            trainer.cfg = dataclasses.replace(cfg, **overrides)
            trainer.loss = trainer.build_loss()
            t0 = time.time()
            head = heads.build_head(
                trainer.cfg.head,
                train_feats.shape[1],
                len(trainer.data.classes),
                cfg.dropout,
                train_feats,
                cfg.svd_energy,
                cfg.seed,
            )
            _, val_acc = trainer.train_head(head, train_feats, member.train_y, val_feats, name)
            test_acc = ensemble.accuracy(np.asarray(head.predict_on_batch(test_feats)), y_test)
            rows.append(row(f"{name}: {label}", val_acc, test_acc, time.time() - t0))
    trainer.cfg = cfg
    trainer.loss = trainer.build_loss()
    trainer.members = list(members.values())
    rows += ensemble_rows(trainer, y_test, test_probs, "")
    for member in trainer.members:
        t0 = time.time()
        trainer.fine_tune(member, finetune_s)
        test_acc = ensemble.accuracy(test_probs(member, False), y_test)
        rows.append(
            row(
                f"{member.spec.name}: + fine-tune {cfg.top_blocks} top blocks ({finetune_s:.0f} s)",
                member.val_accuracy if member.validated else None,
                test_acc,
                time.time() - t0,
            )
        )
    rows += ensemble_rows(trainer, y_test, test_probs, " after fine-tune")
    return rows


def decode(paths: list[Path], size: int) -> image_cache.ImageCache:
    limit = image_cache.memory_limit_bytes()
    return image_cache.build(paths, size, limit, image_cache.decode_workers())


def frozen_pooled(spec: backbones.BackboneSpec, parts: backbones.Parts, paths: list[Path]):
    """Pooled features of the plain images through a frozen backbone, read at spec.input_size."""
    images = decode(paths, spec.input_size)
    ex = features.Extractor.build(spec, parts.bottom, images.size)
    act, _ = features.split_activations(ex, images, np.arange(len(paths)), 0, 0, "b")
    return features.pooled(parts.top, act)


def fit_softmax(x: np.ndarray, labels: np.ndarray, n_classes: int, epochs: int = 60):
    """The baseline's classifier: one softmax layer on the pooled features."""
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Dense(n_classes, "softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    model.fit(x, labels, batch_size=64, epochs=epochs, verbose=0)
    return model


def baseline(train_dir: Path, test_dir: Path, truth: dict, seed: int, epochs: int = 60) -> dict:
    """The 30-line baseline every configuration is judged against: frozen Lite0 pooled
    features of the plain images and one logistic-regression layer (no validation split)."""
    t0 = time.time()
    keras.utils.set_random_seed(seed)
    train = list_dataset(train_dir)
    spec, parts = backbones.build("efficientnet_lite0", 0)
    test_paths = sorted(test_dir.glob("*.jpg"))
    x, x_test = frozen_pooled(spec, parts, train.paths), frozen_pooled(spec, parts, test_paths)
    model = fit_softmax(x, train.labels, len(train.classes), epochs)
    y_test = np.asarray([train.classes.index(truth[p.stem]) for p in test_paths])
    test_acc = ensemble.accuracy(np.asarray(model.predict(x_test, verbose=0)), y_test)
    return row(
        "baseline: frozen Lite0 pooled features + logistic regression",
        None,
        test_acc,
        time.time() - t0,
    )


def ensemble_rows(trainer: Trainer, y_test: np.ndarray, test_probs, suffix: str) -> list[dict]:
    """The members' weighted average (weights from validation accuracy), without and with TTA."""
    names = " + ".join(m.spec.name for m in trainer.members)
    val_acc, w = trainer.ensemble_accuracy()
    rows = []
    for flip in (False, True):
        probs = ensemble.combine([test_probs(m, flip) for m in trainer.members], w)
        label = f"ensemble {names}{suffix}" + (" + flip TTA" if flip else "")
        rows.append(row(label, None if flip else val_acc, ensemble.accuracy(probs, y_test), 0.0))
    return rows


def row(step: str, val: float | None, test: float, seconds: float) -> dict:
    print(
        f"{step:70s} val={val if val is None else round(val, 4)} test={test:.4f} {seconds:.0f}s",
        flush=True,
    )
    return {"step": step, "val_accuracy": val, "test_accuracy": test, "seconds": round(seconds, 1)}


def part_b(
    train_dir: Path,
    test_dir: Path,
    truth: dict,
    budget_s: float,
    root: Path,
    config: Path | None,
    paired_tta: bool = False,
) -> dict:
    package = root / "package"
    shutil.copytree(ROOT / "submission", package, ignore=shutil.ignore_patterns("__pycache__"))
    layout = RunLayout(root)
    model_dir = layout.model
    for d in (model_dir, layout.train_metrics.parent):
        d.mkdir()
    scratch = make_scratch(root / "scratch")
    folders = RunFolders(train_dir, test_dir, model_dir, layout.train_metrics)
    package_env: dict[str, str] = {}
    if config:
        shutil.copy(config, package / "bench_config.toml")
        package_env[OVERRIDE_ENV] = str(package / "bench_config.toml")
    runner = create_runner("process")
    variables = train_variables(folders, PROFILE, scratch, package_env)
    train = variables.spec(("python", "train.py"), package, Limits(), layout.log("train"))
    t0 = time.time()
    out = run_train(runner, train, budget_s, 10.0, model_dir)
    train_s = time.time() - t0
    print(f"train: {out.status.value} in {train_s:.0f} s: {out.reason}", flush=True)
    if out.status is not Status.OK:
        return {"train_status": out.status.value, "reason": out.reason, "log_tail": out.log_tail}
    lines = [json.loads(x) for x in folders.metrics_path.read_text().splitlines()]
    steps = [
        {
            "after_s": round(x["time"] - t0, 1),
            **{k: x[k] for k in ("step", "members", "val_accuracy")},
        }
        for x in lines
        if x["stage"] == "export"
    ]

    def serve() -> dict:
        """predict.py answering every test image one by one: accuracy and latency."""
        limits = PredictLimits(setup_s=120.0, per_image_s=0.5, request_timeout_s=10.0, grace_s=5.0)
        variables = predict_variables(folders, PROFILE, scratch, limits, package_env)
        predict = variables.spec(("python", "predict.py"), package, Limits(), layout.log("predict"))
        requests = [PredictRequest(p.stem, p) for p in sorted(test_dir.glob("*.jpg"))]
        pout, answers = run_predict(runner, predict, requests, sorted(set(truth.values())), limits)
        lat = np.asarray([a.latency_s for a in answers]) * 1000
        acc = sum(a.label == truth[a.id] for a in answers) / len(truth)
        return {
            "predict_status": pout.status.value,
            "setup_s": pout.details.get("setup_s"),
            "test_accuracy": acc,
            "answered": len(answers),
            "test_images": len(truth),
            "latency_ms": {
                "p50": float(np.percentile(lat, 50)),
                "p99": float(np.percentile(lat, 99)),
                "max": float(lat.max()),
            },
        }

    meta = json.loads((model_dir / "metadata.json").read_text())
    served = serve()
    result = {
        "train_status": out.status.value,
        "train_wall_s": round(out.wall_s, 1),
        "budget_s": budget_s,
        "exports": steps,
        "timed_steps": [dataclasses.asdict(step) for step in timed_steps(lines)],
        "train_metrics": lines,  # every epoch's line, so figures quoted from a run stay on file
        "final_members": [m["backbone"] for m in meta["members"]],
        "final_stage": meta["stage"],
        **served,
    }
    if paired_tta:
        # The bench's own copy of the model: the same weights served the other way, so the
        # difference is the TTA's alone, without the run-to-run noise of a second training.
        meta["tta_flip"] = not meta.get("tta_flip", False)
        (model_dir / "metadata.json").write_text(json.dumps(meta))
        other = serve()
        result["other_tta"] = {"tta_flip": meta["tta_flip"], **other}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/trashnet"))
    parser.add_argument("--budget", type=float, default=900.0)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--finetune-s", type=float, default=120.0)
    parser.add_argument("--parts", default="ab", help="a: ladder on one cache, b: budgeted run")
    parser.add_argument("--config", type=Path, help="TOML overriding submission/config.toml")
    parser.add_argument(
        "--paired-tta",
        action="store_true",
        help="part b: serve the trained model a second time with flip TTA switched the other way",
    )
    parser.add_argument("--out", type=Path, default=Path("runs/bench_reference.json"))
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench_reference_"))
    train_dir, test_dir, truth = stage(args.data, RunLayout(root), args.test_fraction, args.seed)
    n_train = sum(1 for _ in train_dir.rglob("*.jpg"))
    print(f"staged {n_train} train / {len(truth)} test images in {root}")
    result = {"data": str(args.data), "seed": args.seed}
    result["baseline"] = baseline(train_dir, test_dir, truth, args.seed)
    if "b" in args.parts:
        result["budgeted_run"] = part_b(
            train_dir, test_dir, truth, args.budget, root / "b", args.config, args.paired_tta
        )
        print(json.dumps(result["budgeted_run"], indent=2), flush=True)
    if "a" in args.parts:
        result["ladder"] = part_a(train_dir, test_dir, truth, args.finetune_s, args.config)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written {args.out}")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
