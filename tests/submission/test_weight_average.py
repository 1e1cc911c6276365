"""The fine-tune's weight average: the mean of the epochs that ended in the anneal's second
half, on a real fit; and the Trainer's fine-tune ending on it when configured."""

import json
import time

import keras
import numpy as np
from garbage.annealing import CosineOverBudget
from garbage.budget import Budget
from garbage.config import TrainConfig
from garbage.metrics import MetricsLog
from garbage.training import Trainer
from garbage.weight_average import AverageAnnealedEpochs

from harness.data.demo import make_image_set


class _Recorder(keras.callbacks.Callback):
    """Each epoch's closing rate and trainable weights (runs before the average's callback)."""

    def __init__(self) -> None:
        super().__init__()
        self.epochs: list[tuple[float, list[np.ndarray]]] = []

    def on_epoch_end(self, epoch, logs=None):
        rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        weights = [w.numpy().copy() for w in self.model.trainable_weights]
        self.epochs.append((rate, weights))


def _fit(peak: float, highest_rate: float, epochs: int = 8):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, 64), 3)
    frozen = keras.layers.Dense(4, name="frozen")
    model = keras.Sequential(
        [keras.Input((4,)), frozen, keras.layers.Dropout(0.2), keras.layers.Dense(3)]
    )
    frozen.trainable = False
    frozen_before = [w.copy() for w in frozen.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(peak), loss="categorical_crossentropy")
    recorder, average = _Recorder(), AverageAnnealedEpochs(highest_rate)
    schedule = CosineOverBudget(peak, lambda: 1e6)  # annealed over the epochs
    model.fit(
        x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=[schedule, recorder, average]
    )
    return model, recorder.epochs, average, frozen, frozen_before


def test_the_fit_ends_on_the_mean_of_the_epochs_at_or_below_the_rate():
    model, epochs, average, frozen, frozen_before = _fit(peak=0.05, highest_rate=0.025)
    late = [weights for rate, weights in epochs if rate <= 0.025]
    assert 2 <= len(late) < len(epochs)  # the cosine's second half, not every epoch
    assert average.epochs_averaged == len(late)
    expected = [np.mean(stack, axis=0) for stack in zip(*late, strict=True)]
    for got, want, last in zip(model.trainable_weights, expected, epochs[-1][1], strict=True):
        got = got.numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
        assert not np.allclose(got, last)  # the mean, not the last epoch
    for kept, before in zip(frozen.get_weights(), frozen_before, strict=True):
        np.testing.assert_array_equal(kept, before)  # frozen weights are not averaged


def test_with_no_epoch_low_enough_the_last_epoch_stays():
    model, epochs, average, _, _ = _fit(peak=0.05, highest_rate=0.0, epochs=3)
    assert average.epochs_averaged == 0
    for got, last in zip(model.trainable_weights, epochs[-1][1], strict=True):
        np.testing.assert_array_equal(got.numpy(), last)


def test_the_trainer_fine_tune_ends_on_the_average_when_configured(tmp_path):
    data = make_image_set(tmp_path / "data", ("a", "b"), per_class=10, size=32)
    config = TrainConfig(
        backbones=["tiny"],
        pretrained=False,
        aug_copies=1,
        val_fraction=0.3,
        head_epochs=2,
        finetune_epochs=6,
        finetune_average=True,
    )
    metrics_path = tmp_path / "metrics.jsonl"
    budget = Budget(time.time() + 600, 0.0)
    trainer = Trainer(
        config, data, tmp_path / "model", budget, MetricsLog(str(metrics_path)), tmp_path / "none"
    )
    member = trainer.add_member("tiny", first=True)
    trainer.members.append(member)
    trainer.export("head")
    trainer.fine_tune(member, seconds=120.0)

    lines = [json.loads(x) for x in metrics_path.read_text().splitlines()]
    finetune = [x for x in lines if x["stage"] == "finetune"]
    late = [x for x in finetune if x["learning_rate"] <= config.finetune_lr / 2]
    (averaged,) = [x for x in lines if x["stage"] == "weight_average"]
    assert len(finetune) == 6 and 0 < len(late) < 6
    assert (averaged["backbone"], averaged["epochs"]) == ("tiny", len(late))
