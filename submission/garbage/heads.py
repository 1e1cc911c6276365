"""Classifier heads trained on pooled features.

dense: dropout + softmax layer.
se: 1st place's head: SVD reduction keeping `energy` of the feature variance
(a fixed, rescaled projection fitted on the training features), then a
squeeze-excitation gate that re-weights the reduced features, then softmax.
Both are built from stock Keras layers, so the exported model loads anywhere.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

HEADS = ("dense", "se")


def svd_projection(features: np.ndarray, energy: float) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) so that features @ W + b are the top components holding `energy`, unit variance."""
    mean = features.mean(axis=0)
    centred = features - mean
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    share = np.cumsum(s**2) / np.sum(s**2)
    k = int(np.searchsorted(share, energy) + 1)
    k = min(k, len(s))
    scale = np.sqrt(len(features)) / np.maximum(s[:k], 1e-6)
    w = (vt[:k].T * scale).astype("float32")
    return w, (-mean @ w).astype("float32")


def build_head(
    kind: str,
    feature_width: int,
    n_classes: int,
    dropout: float,
    train_features: np.ndarray | None = None,
    energy: float = 0.9,
    seed: int = 0,
) -> keras.Model:
    """Pooled features -> class probabilities."""
    if kind not in HEADS:
        raise ValueError(f"unknown head {kind!r}; valid heads: {', '.join(HEADS)}")
    keras.utils.set_random_seed(seed)
    inp = keras.Input((feature_width,), name="features")
    x = inp
    if kind == "se":
        if train_features is None:
            raise ValueError("the se head needs the training features to fit its SVD")
        w, b = svd_projection(train_features, energy)
        svd = layers.Dense(w.shape[1], name="svd", trainable=False)
        x = svd(x)
        svd.set_weights([w, b])
        squeeze = layers.Dense(max(4, w.shape[1] // 8), activation="relu", name="se_squeeze")(x)
        gate = layers.Dense(w.shape[1], activation="sigmoid", name="se_excite")(squeeze)
        x = layers.Multiply(name="se_scale")([x, gate])
    x = layers.Dropout(dropout, name="dropout")(x)
    out = layers.Dense(n_classes, activation="softmax", name="probs")(x)
    return keras.Model(inp, out, name=f"head_{kind}")
