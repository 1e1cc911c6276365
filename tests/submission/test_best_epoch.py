"""The best validation epoch: accuracy first, ties to the lower loss, then to the later epoch."""

import keras
import numpy as np
from garbage.best_epoch import KeepBestEpoch, ranks_higher


def test_higher_accuracy_wins_whatever_the_loss():
    assert ranks_higher(0.6, 9.0, (0.5, 0.1))
    assert not ranks_higher(0.4, 0.01, (0.5, 0.1))


def test_a_tie_on_accuracy_goes_to_the_lower_loss_then_to_the_later_epoch():
    assert ranks_higher(0.5, 0.2, (0.5, 0.3))
    assert not ranks_higher(0.5, 0.4, (0.5, 0.3))
    assert ranks_higher(0.5, 0.3, (0.5, 0.3))
    assert ranks_higher(0.0, 5.0, None)


class _Recorder(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.epochs: list[tuple[float, float, list]] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(
            (logs["val_accuracy"], logs["val_loss"], [w.copy() for w in self.model.get_weights()])
        )


def test_a_real_fit_ends_with_the_weights_of_the_best_tied_epoch_not_the_first():
    """Separable classes: validation accuracy reaches 1.0 early and stays while the loss
    keeps falling, the case where EarlyStopping(restore_best_weights) keeps the first epoch."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    centres = np.array([[3.0, 0.0], [-3.0, 0.0]], dtype="float32")
    labels = rng.integers(0, 2, 200)
    x = centres[labels] + rng.normal(0, 0.5, (200, 2)).astype("float32")
    y = keras.utils.to_categorical(labels, 2)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss="categorical_crossentropy",
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    recorder, keep = _Recorder(), KeepBestEpoch()
    model.fit(
        x[:150],
        y[:150],
        validation_data=(x[150:], y[150:]),
        epochs=15,
        batch_size=16,
        verbose=0,
        callbacks=[recorder, keep],
    )

    accuracies = [acc for acc, _, _ in recorder.epochs]
    first_best = accuracies.index(max(accuracies))
    chosen = None
    for epoch, (acc, loss, _) in enumerate(recorder.epochs):
        if ranks_higher(acc, loss, None if chosen is None else recorder.epochs[chosen][:2]):
            chosen = epoch
    assert keep.best_epoch == chosen > first_best
    for restored, recorded in zip(model.get_weights(), recorder.epochs[chosen][2], strict=True):
        np.testing.assert_array_equal(restored, recorded)
