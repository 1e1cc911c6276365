"""TensorFlow's process-wide switches: it reads them once, at import, so they are set first."""

from __future__ import annotations

import os


def set_before_import(log_level: str) -> None:
    """Call before keras or tensorflow is imported; a value already in the environment wins.

    oneDNN: TensorFlow turns its oneDNN kernels on by itself only on CPUs with AVX-512
    features. On an AVX2-only host they ran the Lite0 and Lite2 bottoms 1.6 to 1.9 times
    and a fine-tune step 1.1 to 1.5 times as fast (docs/benchmarks.md, "oneDNN on an AVX2
    host"), and the training budget turns that speed into epochs. Elsewhere this changes
    nothing."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", log_level)
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
