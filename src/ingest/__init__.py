"""Speech ingestion library: pure pipeline steps, sources, storage and the CLI (never imports Prefect)."""

__version__ = "0.1.0"
