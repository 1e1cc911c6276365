"""Scoring: pure metrics, and the join of answers with the answer key."""
