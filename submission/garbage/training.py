"""The budget-aware training plan.

1. per backbone: cached activations (plain + augmented copies), a head trained
   on pooled features for many epochs keeping the best validation epoch,
   exported at once (a model exists early, whatever happens later);
2. further backbones while the measured cost fits (building and timing one
   included), averaged as an ensemble weighted by validation accuracy;
3. fine-tuning of each backbone's top blocks on the cached activations with
   the time that is left, the learning rate annealed over that time, kept only
   where validation accuracy improves (with `finetune_on_all`, trained on the
   validation images too and kept unchecked); each export replaces the last.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from garbage import (
    annealing,
    backbones,
    device,
    ensemble,
    export,
    features,
    heads,
    image_cache,
    losses,
    warm_start,
)
from garbage.best_epoch import KeepBestEpoch
from garbage.budget import Budget, BudgetCallback, may_start, units_that_fit
from garbage.config import (
    PACKAGE_ROOT,
    ConfigError,
    TrainConfig,
    check_input_sizes,
    write_resolved,
)
from garbage.images import Dataset, list_dataset, stratified_split
from garbage.metrics import MetricsLog
from garbage.weight_average import AverageAnnealedEpochs

# Steps whose first call compiles (jax compiles every new shape) cannot be
# stopped by a callback, so they must fit before they start. Their cost is
# estimated from building and timing the first backbone, times this generous
# factor: a later backbone is bigger (lite2 after lite0), and fine-tuning
# compiles a training step, forward and backward.
PROBE_SCALE = 2.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Member:
    spec: backbones.BackboneSpec
    parts: backbones.Parts
    head: keras.Model
    train_act: np.ndarray  # (copies * n_train, ...) cached split activations
    train_y: np.ndarray  # one-hot, aligned with train_act
    val_act: np.ndarray
    val_probs: np.ndarray
    val_accuracy: float
    extra_act: np.ndarray  # with finetune_on_all: the validation images, plain and copies
    extra_y: np.ndarray
    validated: bool = True  # False once fine-tuned on the validation images


class Trainer:
    def __init__(
        self,
        config: TrainConfig,
        train_dir: Path,
        model_dir: Path,
        budget: Budget,
        metrics: MetricsLog,
        pretrained_dir: Path = warm_start.PRETRAINED_DIR,
        gpu_memory_limit_bytes: int | None = None,
    ) -> None:
        self.cfg = config
        self.gpu_memory_limit_bytes = gpu_memory_limit_bytes
        self.pretrained_dir = pretrained_dir
        self.started_from: dict[str, str] = {}
        self.model_dir = model_dir
        self.budget = budget
        self.metrics = metrics
        self.data: Dataset = list_dataset(train_dir)
        self.n_classes = len(self.data.classes)
        self.train_idx, self.val_idx = stratified_split(
            self.data.labels, config.val_fraction, config.seed
        )
        self.loss = self.build_loss()
        if config.head not in heads.HEADS:
            raise ConfigError(f"head must be one of {', '.join(heads.HEADS)}, got {config.head!r}")
        for name in config.backbones:
            backbones.get_spec(name)
        check_input_sizes(config)
        self.rng = np.random.default_rng(config.seed)
        self.export_s = 5.0  # replaced by the measured export time after the first export
        self.first_probe_s = 0.0  # building and timing the first backbone, compiles included
        self.members: list[Member] = []
        self.exported_accuracy: float | None = None  # validation accuracy of the model on disk
        self.device = device.detect()
        self.compute = device.plan_for(self.device)
        self.gpu_peak_bytes = device.peak_memory_bytes  # of one run, for the batch probe
        self.images: image_cache.ImageCache | None = None

    def build_loss(self):
        """The configured loss; call again after changing self.cfg."""
        cfg = self.cfg
        if cfg.loss not in ("ce", "focal"):
            raise ConfigError(f"loss must be 'ce' or 'focal', got {cfg.loss!r}")
        table = PACKAGE_ROOT / cfg.cost_table if cfg.cost_table else None
        if table is not None and not table.is_file():
            raise ConfigError(f"cost_table {table} is not a file; set cost_table = '' for none")
        costs = losses.cost_matrix(self.data.classes, table)
        gamma = cfg.focal_gamma if cfg.loss == "focal" else 0.0
        return losses.make_loss(costs, gamma, cfg.label_smoothing)

    # -- plan ------------------------------------------------------------------
    def run(self) -> None:
        log(
            f"training on {len(self.train_idx)} images, validating on {len(self.val_idx)}, "
            f"{self.n_classes} classes, {self.budget.time_remaining():.0f} s usable, "
            f"keras {keras.backend.backend()} backend, batch {self.compute.batch}, "
            f"{self.compute.policy}"
        )
        self.pixel_cache()  # before the first probe, whose time plans the later backbones
        for i, name in enumerate(self.cfg.backbones):
            if i > 0 and not self.cfg.ensemble:
                break
            try:
                member = self.add_member(name, first=i == 0)
            except backbones.MissingWeightsError as exc:
                if i == 0:
                    raise
                log(f"skipping {name}, training goes on without it: {exc}")
                continue
            if member is None:
                break
            self.members.append(member)
            self.export("head" if i == 0 else "ensemble")
        if self.cfg.finetune:
            for k, member in enumerate(self.members):
                share = self.budget.time_remaining() / (len(self.members) - k)
                if self.fine_tune(member, share):
                    self.export("finetune")
        self.metrics.write("done", val_accuracy=self.exported_accuracy)

    def pixel_cache(self) -> image_cache.ImageCache:
        """Every image decoded once, at the largest input size of the configured backbones."""
        if self.images is not None:
            return self.images
        size = max(self.spec(name).input_size for name in self.cfg.backbones)
        limit = int(self.cfg.cache_memory_mb * 2**20) or image_cache.memory_limit_bytes()
        workers = image_cache.decode_workers()
        images = image_cache.build(self.data.paths, size, limit, workers)
        self.metrics.write(
            "decode",
            images=len(images.paths),
            size=size,
            workers=workers,
            in_memory=images.in_memory,
            seconds=round(images.decode_s, 1),
            images_per_s=round(len(images.paths) / max(images.decode_s, 1e-9), 1),
        )
        self.images = images
        return images

    def spec(self, name: str) -> backbones.BackboneSpec:
        """The backbone as this run reads it: at its configured input size, else its own."""
        return backbones.get_spec(name, self.cfg.input_sizes.get(name))

    def reserve(self) -> float:
        return 2.0 * self.export_s * (len(self.members) + 1)

    # -- one backbone ----------------------------------------------------------
    def add_member(self, name: str, first: bool) -> Member | None:
        left = self.budget.time_remaining() - self.reserve()
        if not first and not may_start(PROBE_SCALE * self.first_probe_s, left):
            log(f"skipping {name}: building and timing it would not fit in {left:.0f} s")
            return None
        probe_started = time.time()
        keras.mixed_precision.set_global_policy(self.compute.policy)
        keras.utils.set_random_seed(self.cfg.seed + len(self.members))  # same random init every run
        try:
            spec, parts = backbones.build(
                name, self.cfg.top_blocks, self.cfg.pretrained, self.spec(name).input_size
            )
        finally:
            keras.mixed_precision.set_global_policy("float32")  # heads train in float32
        warm = warm_start.find(self.pretrained_dir, name, self.data.classes)
        tag = ""
        if warm is not None:
            copied = warm_start.load_into(parts, warm)
            tag = f"+pretrained-{warm.fingerprint}"
            self.started_from[name] = str(warm.model_file)
            self.metrics.write(
                "warm_start", backbone=name, layers=copied, source=str(warm.model_file)
            )
        images = self.pixel_cache()
        ex = self.extractor(spec, parts.bottom, images)
        rates = features.measure(ex, images)
        per_image = rates.bottom_s
        if first:
            self.first_probe_s = time.time() - probe_started
        n_all = len(images.paths)
        left = self.budget.time_remaining() - self.reserve()
        if not first and not may_start(per_image * n_all * 1.5, left):
            log(
                f"skipping {name}: {per_image * n_all:.0f} s of features do not fit in {left:.0f} s"
            )
            return None
        log(f"{name}: {per_image * 1000:.0f} ms per image through the frozen bottom")
        cache = self.cfg.pretrained and spec.weights_file is not None
        everything = np.arange(n_all)
        t0 = time.time()
        plain, ok = features.split_activations(
            ex, images, everything, 0, self.cfg.seed, "plain" + tag, cache=cache
        )
        self.write_features(name, 0, n_all, time.time() - t0, rates)
        left = self.budget.time_remaining() - self.reserve()
        # Copies of the validation images too when fine-tuning will train on them.
        copy_rows = everything if self.cfg.finetune_on_all else self.train_idx
        n_copied = len(copy_rows)
        copies = min(self.cfg.aug_copies, units_that_fit(0.35 * left, per_image * n_copied * 1.2))
        train_blocks = [plain[self.train_idx]]
        val_blocks = []
        train_ok = ok[self.train_idx]
        split = ("all" if self.cfg.finetune_on_all else "train") + tag
        for c in range(1, copies + 1):
            t0 = time.time()
            act, _ = features.split_activations(
                ex, images, copy_rows, c, self.cfg.seed, split, cache=cache
            )
            if self.cfg.finetune_on_all:
                train_blocks.append(act[self.train_idx])
                val_blocks.append(act[self.val_idx])
            else:
                train_blocks.append(act)
            self.write_features(name, c, n_copied, time.time() - t0, rates)
        extra_act, extra_y = self.validation_rows(plain, ok, val_blocks)
        keep = np.tile(train_ok, len(train_blocks))
        train_act = np.concatenate(train_blocks)[keep]
        y = np.tile(self.data.labels[self.train_idx], len(train_blocks))[keep]
        train_y = keras.utils.to_categorical(y, self.n_classes).astype("float32")
        val_act = plain[self.val_idx]

        train_feats = features.pooled(parts.top, train_act)
        val_feats = features.pooled(parts.top, val_act)
        head = heads.build_head(
            self.cfg.head,
            train_feats.shape[1],
            self.n_classes,
            self.cfg.dropout,
            train_feats,
            self.cfg.svd_energy,
            self.cfg.seed,
        )
        probs, acc = self.train_head(head, train_feats, train_y, val_feats, name)
        return Member(
            spec, parts, head, train_act, train_y, val_act, probs, acc, extra_act, extra_y
        )

    def validation_rows(
        self, plain: np.ndarray, ok: np.ndarray, copies: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The readable validation images' activations, plain then each copy, one-hot labelled:
        what finetune_on_all adds to the fine-tune's data (empty without it)."""
        if not self.cfg.finetune_on_all:
            return plain[:0], np.zeros((0, self.n_classes), "float32")
        blocks = [plain[self.val_idx], *copies]
        keep = np.tile(ok[self.val_idx], len(blocks))
        y = np.tile(self.val_labels(), len(blocks))[keep]
        one_hot = keras.utils.to_categorical(y, self.n_classes).astype("float32")
        return np.concatenate(blocks)[keep], one_hot

    def extractor(
        self, spec: backbones.BackboneSpec, bottom: keras.Model, images: image_cache.ImageCache
    ) -> features.Extractor:
        """The bottom behind the copy layer; under a GPU memory limit, its batch size from a
        measured probe (device.probed_batch)."""
        ex = features.Extractor.build(spec, bottom, images.size, self.compute.batch)
        if self.gpu_memory_limit_bytes is None:
            return ex
        batch, peaks = self.compute.batch, {}  # a CPU has nothing to probe
        if self.device.platform == "gpu":

            def run_batch(n: int):
                inputs = features.copy_inputs(ex, images, np.arange(n), 1, self.cfg.seed)
                return ex.model.predict_on_batch(inputs)

            batch, peaks = device.probed_batch(
                run_batch,
                len(images.paths),
                self.gpu_memory_limit_bytes,
                self.compute.batch,
                peak=self.gpu_peak_bytes,
            )
        self.metrics.write(
            "batch",
            backbone=spec.name,
            batch=batch,
            probe_peak_bytes=peaks,
            gpu_memory_limit_bytes=self.gpu_memory_limit_bytes,
        )
        return dataclasses.replace(ex, batch=batch)

    def write_features(
        self, name: str, copy: int, images: int, seconds: float, rates: features.Rates
    ) -> None:
        """One copy's features, with the input pipeline's rates, for the report's timeline."""
        self.metrics.write(
            "features",
            backbone=name,
            copy=copy,
            seconds=round(seconds, 1),
            images_per_s=round(images / max(seconds, 1e-9), 1),
            augmented_per_s=round(1 / max(rates.augment_s, 1e-9), 1),
        )

    def val_labels(self) -> np.ndarray:
        return self.data.labels[self.val_idx]

    def train_head(self, head, x, y, x_val, name: str) -> tuple[np.ndarray, float]:
        """Many cheap epochs on cached features; the best validation epoch's weights are kept."""
        # Compile a wrapper, not the head: the exported head must carry no custom loss.
        inp = keras.Input(x.shape[1:])
        model = keras.Model(inp, head(inp))
        # Small data sets get smaller batches, so that every epoch still takes >= 16 steps.
        batch = max(8, min(self.cfg.head_batch, len(x) // 16))
        data = _MixupBatches(x, y, self.cfg.mixup_alpha, batch, self.rng)
        budget = BudgetCallback(self.budget, self.reserve())
        self.fit_keeping_best(
            model, self.cfg.head_lr, data, x_val, self.cfg.head_epochs, budget, name
        )
        if budget.stopped_early:
            log(f"{name} head: stopped early, the budget is spent")
        probs = np.asarray(head.predict_on_batch(x_val)) if len(x_val) else np.zeros((0, 1))
        return probs, ensemble.accuracy(probs, self.val_labels())

    def fit_keeping_best(
        self,
        model: keras.Model,
        lr: float,
        data: keras.utils.PyDataset,
        val_x: np.ndarray | None,
        epochs: int,
        budget: BudgetCallback,
        name: str,
        stage: str = "head",
        anneal: bool = False,
        average: bool = False,
    ) -> None:
        """`fit` until `epochs` or the budget; ends with the best validation epoch's weights
        (best_epoch's rule; the last epoch when `val_x` is None), and every epoch is a
        metrics line. With `anneal`, the rate falls from `lr` to zero over the budget or the
        epochs, whichever ends first; with `average` too, the fit ends with the mean of the
        epochs in the anneal's second half instead (weight_average.py)."""
        model.compile(
            optimizer=keras.optimizers.Adam(lr),
            loss=self.loss,
            metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
        )

        def write(epoch: int, logs: dict) -> None:
            val = logs.get("val_accuracy")
            rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
            self.metrics.write(
                stage,
                backbone=name,
                epoch=epoch + 1,
                loss=round(float(logs["loss"]), 5),
                val_accuracy=None if val is None else round(float(val), 5),
                learning_rate=float(f"{rate:.3g}"),
            )

        callbacks = [budget, keras.callbacks.LambdaCallback(on_epoch_end=write)]
        if anneal:
            callbacks.append(annealing.CosineOverBudget(lr, budget.time_remaining))
        averaging = AverageAnnealedEpochs(lr / 2) if anneal and average else None
        validation = None
        if val_x is not None and len(self.val_idx):
            val_y = keras.utils.to_categorical(self.val_labels(), self.n_classes)
            validation = (val_x, val_y.astype("float32"))
            if averaging is None:
                callbacks.append(KeepBestEpoch())
        if averaging is not None:
            callbacks.append(averaging)
        model.fit(data, epochs=epochs, validation_data=validation, verbose=0, callbacks=callbacks)
        if averaging is not None:
            self.metrics.write("weight_average", backbone=name, epochs=averaging.epochs_averaged)

    # -- fine-tuning -----------------------------------------------------------
    def fine_tune(self, member: Member, seconds: float) -> bool:
        """Train top blocks + head on cached activations; keep only a validation improvement.
        With finetune_on_all the validation images train too, and the annealed last epoch
        is kept unchecked."""
        trainable = [
            layer
            for layer in member.parts.top.layers
            if layer.weights and not isinstance(layer, keras.layers.BatchNormalization)
        ]
        needed = max(4 * self.export_s, PROBE_SCALE * self.first_probe_s)
        if not member.spec.fine_tunable or not trainable or seconds < needed:
            log(f"{member.spec.name}: no fine-tuning ({seconds:.0f} s left)")
            return False
        for layer in member.parts.top.layers:
            layer.trainable = layer in trainable
        inp = keras.Input(member.train_act.shape[1:])
        model = keras.Model(inp, member.head(member.parts.top(inp)))
        before = [member.parts.top.get_weights(), member.head.get_weights()]
        budget = BudgetCallback(Budget(time.time() + seconds, 0.0), self.reserve())
        x, y = member.train_act, member.train_y
        on_all = self.cfg.finetune_on_all
        val_x = None if on_all else member.val_act.astype("float32")
        if on_all:
            x = np.concatenate([x, member.extra_act])
            y = np.concatenate([y, member.extra_y])
        data = _MixupBatches(x, y, self.cfg.mixup_alpha, self.cfg.head_batch, self.rng)
        epochs, name = self.cfg.finetune_epochs, member.spec.name
        self.fit_keeping_best(
            model,
            self.cfg.finetune_lr,
            data,
            val_x,
            epochs,
            budget,
            name,
            "finetune",
            anneal=True,
            average=self.cfg.finetune_average,
        )
        if on_all:
            member.validated = False
            return True
        probs = np.asarray(model.predict(val_x, batch_size=64, verbose=0))
        acc = ensemble.accuracy(probs, self.val_labels())
        if acc <= member.val_accuracy:
            member.parts.top.set_weights(before[0])
            member.head.set_weights(before[1])
            return False
        member.val_probs, member.val_accuracy = probs, acc
        return True

    # -- ensemble and export ---------------------------------------------------
    def ensemble_accuracy(self) -> tuple[float | None, np.ndarray]:
        """Validation accuracy of the weighted ensemble of every member, and its weights.
        None once a member was fine-tuned on the validation images: the figure would be
        measured on training data. The weights then come from its last validated figure.

        No single member is picked over it: on a few hundred validation images their
        difference is a few images (docs/benchmarks.md, "Annealed fine-tune, then every
        member in the export")."""
        weights = ensemble.member_weights([m.val_accuracy for m in self.members])
        if not all(m.validated for m in self.members):
            return None, weights
        probs = ensemble.combine([m.val_probs for m in self.members], weights)
        return ensemble.accuracy(probs, self.val_labels()), weights

    def export(self, stage: str) -> None:
        """Writes the model folder over the last one, whatever its validation accuracy.

        Each stage (more members, then fine-tuned ones) scored higher on test than the one
        before in the ladder of submission/README.md; a comparison on a few hundred
        validation images is mostly noise and, against the best of a head's 100 epochs,
        kept the earlier model (docs/benchmarks.md, "Dense head,
        paired flip TTA, and the exit gap")."""
        t0 = time.time()
        acc, weights = self.ensemble_accuracy()
        exported = [
            export.ExportedMember(
                m.spec, export.image_model(m.spec, m.parts.bottom, m.parts.top, m.head), float(w)
            )
            for m, w in zip(self.members, weights, strict=True)
        ]
        export.export(
            self.model_dir,
            self.data.classes,
            exported,
            {
                "stage": stage,
                "keras_backend": keras.backend.backend(),
                "val_accuracy": acc,
                "tta_flip": self.cfg.tta_flip,
                "started_from": self.started_from
                or ("imagenet" if self.cfg.pretrained else "random"),
            },
        )
        write_resolved(self.cfg, self.model_dir / "train_config.json")
        self.exported_accuracy = acc
        self.export_s = max(self.export_s, (time.time() - t0) / len(self.members))
        self.metrics.write(
            "export",
            step=stage,
            members=[m.spec.name for m in self.members],
            val_accuracy=None if acc is None else round(acc, 5),
            seconds=round(time.time() - t0, 1),
        )


class _MixupBatches(keras.utils.PyDataset):
    """Shuffled float32 batches (the cache may be float16), mixed up per batch, reshuffled
    every epoch."""

    def __init__(self, x: np.ndarray, y: np.ndarray, alpha: float, batch: int, rng) -> None:
        super().__init__()
        self.x, self.y, self.alpha, self.batch, self.rng = x, y, alpha, batch, rng
        self.order = rng.permutation(len(x))

    def __len__(self) -> int:
        return int(np.ceil(len(self.x) / self.batch))

    def __getitem__(self, i):
        idx = self.order[i * self.batch : (i + 1) * self.batch]
        return losses.mixup(self.x[idx].astype("float32"), self.y[idx], self.alpha, self.rng)

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.x))
