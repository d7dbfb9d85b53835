"""Storage: the Parquet lake, the staging area of a run, and the DuckDB warehouse."""
