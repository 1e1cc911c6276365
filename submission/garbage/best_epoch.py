"""Keeping a fit's best validation epoch: highest accuracy, then lowest loss.

Validation sets of a few dozen images tie on accuracy for many epochs. Keras's
EarlyStopping(restore_best_weights=True) keeps the first of the tied epochs, the
least trained one (on 18 validation images a head kept its 10th epoch of 100 and
classified half of its own training images wrongly). Here a tie on accuracy goes
to the lower validation loss, and a full tie to the later epoch.
"""

from __future__ import annotations

import keras


def ranks_higher(accuracy: float, loss: float, best: tuple[float, float] | None) -> bool:
    """Whether an epoch with this validation accuracy and loss replaces `best` (accuracy, loss)."""
    if best is None:
        return True
    best_accuracy, best_loss = best
    return accuracy > best_accuracy or (accuracy == best_accuracy and loss <= best_loss)


class KeepBestEpoch(keras.callbacks.Callback):
    """Restores, when the fit ends, the weights of the best validation epoch seen."""

    def __init__(self) -> None:
        super().__init__()
        self.best: tuple[float, float] | None = None
        self.best_epoch: int | None = None
        self._weights = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if "val_accuracy" not in logs:
            return
        accuracy, loss = float(logs["val_accuracy"]), float(logs["val_loss"])
        if ranks_higher(accuracy, loss, self.best):
            self.best, self.best_epoch = (accuracy, loss), epoch
            self._weights = self.model.get_weights()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._weights is not None:
            self.model.set_weights(self._weights)
