"""The yardstick: plain jieba.lcut over every file of a corpus, one process, dictionary loaded first."""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path


def main(corpus: str) -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(Path(corpus).rglob("*.txt"))]
    jieba.initialize()  # the dictionary load is not segmentation: keep it out of the clock
    start, cpu_start = time.perf_counter(), time.process_time()
    tokens = 0
    for text in texts:
        tokens += len(jieba.lcut(text))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "mb": mb, "docs": len(texts), "tokens": tokens}))


if __name__ == "__main__":
    main(sys.argv[1])
