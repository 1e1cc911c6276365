"""Hostile toy, train: the act is in misbehave.py (TOY_DO)."""

import misbehave  # noqa: F401
