"""Retry, caching and concurrency policy shared by the flows: retries only where I/O can fail."""
from __future__ import annotations

import hashlib

# Reading the file system, writing DuckDB and calling the Prefect API can fail for a moment
# (a reader holding the DuckDB file, a network blip); pure computation retried gives the same error.
IO_TASK = {"retries": 2, "retry_delay_seconds": [2, 10]}

# Every task that fetches over the network carries this tag, so one command caps the load on
# the sites we crawl: `prefect concurrency-limit create fetch 4`.
FETCH_TAG = "fetch"
FETCH_TASK = {"tags": [FETCH_TAG], "retries": 3, "retry_delay_seconds": [5, 30, 120]}


def digest(*parts) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]
