"""Hostile toy, predict: the act is in misbehave.py (TOY_DO)."""

import misbehave  # noqa: F401
