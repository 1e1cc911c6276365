"""Pieces of the run page: reading a run folder, summaries, plots and HTML."""
