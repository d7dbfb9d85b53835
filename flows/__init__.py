"""Prefect flows: thin orchestration over the ingest library."""
