"""Single-core time per pipeline step (decode+extract, clean, segment, fingerprint, Arrow+Parquet)."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def measure(corpus: str, max_bytes: int) -> dict:
    from ingest import dedup
    from ingest.clean import clean
    from ingest.encoding import decode_bytes
    from ingest.extract import extract_text
    from ingest.pipeline import ProcessedDocument
    from ingest.segment import get_segmenter
    from ingest.sources.files import discover_files, read_file
    from ingest.storage.lake import write_parquet_atomic
    from ingest.storage.tables import documents_table, tokens_table
    from ingest.pipeline import process_one

    refs, total = [], 0
    for ref in discover_files([corpus]):
        if total >= max_bytes:
            break
        refs.append(ref)
        total += ref.size
    raws = [read_file(r) for r in refs]
    seg = get_segmenter("rjieba")
    clock = {"decode+extract": 0.0, "clean": 0.0, "segment": 0.0, "fingerprint": 0.0, "arrow+parquet": 0.0}
    texts = []
    for raw in raws:
        t0 = time.perf_counter()
        text, _ = decode_bytes(raw.data, content_type=None, is_html=False)
        extracted = extract_text(text)
        t1 = time.perf_counter()
        cleaned = clean(extracted)
        t2 = time.perf_counter()
        seg.cut(cleaned.text)
        t3 = time.perf_counter()
        dedup.fingerprint(cleaned.text)
        t4 = time.perf_counter()
        clock["decode+extract"] += t1 - t0
        clock["clean"] += t2 - t1
        clock["segment"] += t3 - t2
        clock["fingerprint"] += t4 - t3
        texts.append(cleaned.text)
    docs = [d for d in (process_one(r) for r in raws) if isinstance(d, ProcessedDocument)]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_parquet_atomic(documents_table(docs), Path(tmp) / "d.parquet")
        write_parquet_atomic(tokens_table(docs), Path(tmp) / "t.parquet")
        clock["arrow+parquet"] = time.perf_counter() - t0
    mb = total / 1e6
    return {name: {"seconds": s, "mb_per_s": mb / s if s else None, "docs_per_s": len(raws) / s if s else None}
            for name, s in clock.items()} | {"_sample": {"mb": mb, "docs": len(raws)}}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(float(sys.argv[2]) * 1e6) if len(sys.argv) > 2 else 5_000_000)))
