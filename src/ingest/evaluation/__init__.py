"""Evaluation against labelled development sets (scorers and the runs that feed them)."""
