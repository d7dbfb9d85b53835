"""Evaluation of pipeline stages against ground truth (dev-set directories)."""
