"""The reference submission's library: entry scripts train.py and predict.py call into it."""
