"""The fine-tune's result as the mean of its annealed epochs' weights, not its best epoch.

On a few hundred validation images the best epoch wins by a few images, so the pick
follows noise: one seed's budgeted run moved by up to 1.2 test points between reruns
(docs/benchmarks.md). The epochs that end with the rate at or below half its peak (the
cosine's second half) lie around one minimum; their mean sits nearer its middle
(stochastic weight averaging, Izmailov et al. 2018) and is chosen without validation.
"""

from __future__ import annotations

import keras
import numpy as np


class AverageAnnealedEpochs(keras.callbacks.Callback):
    """When the fit ends, sets the trainable weights to their mean over the epochs that
    ended at a rate of `highest_rate` or less; with no such epoch, the last one stays.

    Only trainable weights: frozen batch-norm statistics do not move, and a layer's seed
    state is a counter, not a point to average."""

    def __init__(self, highest_rate: float) -> None:
        super().__init__()
        self.highest_rate = highest_rate
        self.epochs_averaged = 0
        self._sums: list[np.ndarray] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epochs_averaged, self._sums = 0, []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        if rate > self.highest_rate:
            return
        values = [np.asarray(w.numpy(), dtype="float64") for w in self.model.trainable_weights]
        self._sums = (
            values if not self._sums else [s + v for s, v in zip(self._sums, values, strict=True)]
        )
        self.epochs_averaged += 1

    def on_train_end(self, logs: dict | None = None) -> None:
        if not self.epochs_averaged:
            return
        for weight, total in zip(self.model.trainable_weights, self._sums, strict=True):
            weight.assign((total / self.epochs_averaged).astype(weight.dtype))
