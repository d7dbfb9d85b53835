"""The fetch stages of a run: group URL sources by host, crawl each host, stage its units as batches."""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from . import dedup
from .model import RawInput, Reject
from .pipeline import BatchResult
from .sources.config import SourceSpec
from .sources.crawl import Crawler, CrawlResult, Unit
from .sources.urls import host_of, names_url
from .sources.web import FetchPolicy, HttpFetcher
from .storage import raw as raw_store
from .storage.lake import write_parquet_atomic
from .storage.tables import documents_table, file_state_table, hits_table, rejects_table, tokens_table
from .storage.warehouse import Warehouse
from .units import process_unit

MAX_BATCH_UNITS = 200
WEB_COUNTS = ("seen", "new", "changed", "unchanged", "rejected", "not_modified", "skipped_known", "over_limit",
              "requests")


def url_sources(sources: list[str] | None) -> list[SourceSpec]:
    """The URLs among a run's sources (the rest are files: `sources.urls.local_paths`)."""
    return [SourceSpec(url=s) for s in sources or [] if names_url(s)]


def policy_from_env(allow_private_hosts: bool) -> FetchPolicy:
    """Fetch policy with overrides from INGEST_FETCH_* (tests use short timeouts and no delay)."""
    env = os.environ.get
    policy = FetchPolicy(allow_private_hosts=allow_private_hosts)
    for name, attr, cast in (("TIMEOUT", "timeout_s", float), ("RETRIES", "retries", int),
                             ("BACKOFF", "backoff_s", float), ("DELAY", "delay_s", float),
                             ("MAX_BYTES", "max_bytes", int), ("MAX_REDIRECTS", "max_redirects", int),
                             ("DEADLINE", "deadline_s", float)):
        value = env(f"INGEST_FETCH_{name}")
        if value:
            setattr(policy, attr, cast(value))
    return policy


def group_by_host(specs: list[SourceSpec]) -> dict[str, list[SourceSpec]]:
    groups: dict[str, list[SourceSpec]] = defaultdict(list)
    for spec in specs:
        groups[host_of(spec.url)].append(spec)
    return dict(groups)


def crawl_host(wh: Warehouse, run_id: str, part: str, specs: list[SourceSpec], allow_private_hosts: bool) -> CrawlResult:
    """Crawl one host's sources (one request at a time, with its delay) and stage the responses."""
    con = wh.connect(read_only=True)
    try:
        known = raw_store.known_pages(con)
    finally:
        con.close()
    policy = policy_from_env(allow_private_hosts)
    with HttpFetcher(policy) as fetcher:
        result = Crawler(fetcher, known, raw_store.StoredBodies(wh.lake)).crawl(specs)
        result.counts["requests"] = fetcher.requests
    raw_store.stage_crawl(wh.staging(run_id), part, result)
    return result


@dataclass
class WebBatchCounts:
    batch_no: int
    files: int  # units, for the run summary's inputs line
    bytes_read: int
    documents: int
    rejects: int
    reject_reasons: dict[str, int]
    unchanged_text: dict = field(default_factory=dict)  # unit status -> fetched again, same text
    versions: int = 0
    latest: dict = field(default_factory=dict)  # source_uri -> (doc_id, match_hash) staged by this batch


def unit_batches(units: list[Unit]) -> list[list[Unit]]:
    return [units[i:i + MAX_BATCH_UNITS] for i in range(0, len(units), MAX_BATCH_UNITS)]


def stage_units(wh: Warehouse, run_id: str, batch_no: int, units: list[Unit], fetch_rejects: list[Reject],
                segmenter: str = "rjieba", earlier: dict[str, tuple[str, str]] | None = None) -> WebBatchCounts:
    """Process fetched units into documents and stage them like a batch of files.

    `earlier` are versions staged by previous batches of the same run (reprocess replays many).
    """
    con = wh.connect(read_only=True)
    try:
        previous = raw_store.previous_versions(con, [u.source_uri for u in units])
    finally:
        con.close()
    previous.update(earlier or {})
    result = BatchResult(rejects=list(fetch_rejects))
    unchanged, prev_ids, latest = {}, [], {}
    processed = []
    for unit in units:
        raws = [RawInput(unit.source_uri if i == 0 else r.url, unit.source_kind, r.body, r.fetched_at,
                         r.content_type) for i, r in enumerate(unit.pages)]
        out = process_unit(raws, segmenter)
        if isinstance(out, Reject):
            result.rejects.append(out)
        else:
            processed.append((unit, out))
    fingerprint_batch([out for _, out in processed])
    for unit, out in processed:
        if unit.source_uri in previous and previous[unit.source_uri][1] == out.match_hash:
            # Only the page around the text changed (counters, ads): the same document.
            unchanged[unit.status] = unchanged.get(unit.status, 0) + 1
        else:
            prev_ids.append(previous.get(unit.source_uri, (None,))[0])
            previous[unit.source_uri] = (out.document.doc_id, out.match_hash)
            latest[unit.source_uri] = previous[unit.source_uri]
            result.documents.append(out)
    stage_documents(wh, run_id, batch_no, result, prev_ids)
    reasons: dict[str, int] = {}
    for r in result.rejects:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    return WebBatchCounts(batch_no, len(units), sum(len(p.body) for u in units for p in u.pages),
                          len(result.documents), len(result.rejects), reasons, unchanged,
                          sum(1 for p in prev_ids if p), latest)


def fingerprint_batch(docs: list) -> None:
    """Engines that fingerprint a whole batch at once do it in pipeline.process_batch; units need the same.

    On a branch whose dedup module has `fingerprint_batch` (vectorised MinHash), set what its
    process_batch sets; otherwise process_one already filled `match_hash`.
    """
    batch = getattr(dedup, "fingerprint_batch", None)
    if batch is None or not docs:
        return
    for p, fp in zip(docs, batch([p.document.text for p in docs])):
        p.fingerprint = fp
        p.match_hash = f"{fp.exact_hash & (2**64 - 1):016x}"


def stage_documents(wh: Warehouse, run_id: str, batch_no: int, result: BatchResult,
                    previous_doc_ids: list[str | None]) -> None:
    out = wh.staging(run_id)
    docs = documents_table(result.documents)
    docs = docs.append_column("batch_no", pa.array([batch_no] * docs.num_rows, pa.int32()))
    docs = docs.append_column("previous_doc_id", pa.array(previous_doc_ids, pa.string()))
    write_parquet_atomic(docs, out / f"documents-{batch_no:05d}.parquet")
    write_parquet_atomic(tokens_table(result.documents), out / f"tokens-{batch_no:05d}.parquet")
    write_parquet_atomic(hits_table(result.documents), out / f"hits-{batch_no:05d}.parquet")
    write_parquet_atomic(rejects_table(result.rejects), out / f"rejects-{batch_no:05d}.parquet")
    write_parquet_atomic(file_state_table([]), out / f"files-{batch_no:05d}.parquet")
    try:  # the near-duplicate engine stages fingerprints beside each batch
        from .storage import staged_fingerprints
    except ImportError:
        return
    fps = [(p.document.doc_id, p.fingerprint) for p in result.documents]
    write_parquet_atomic(staged_fingerprints.fingerprints_table(fps), out / f"fingerprints-{batch_no:05d}.parquet")


@dataclass
class WebSummary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WEB_COUNTS, 0))

    def add_crawl(self, result: CrawlResult) -> None:
        for k in WEB_COUNTS:
            self.counts[k] += result.counts.get(k, 0)

    def add_batch(self, batch: WebBatchCounts) -> None:
        # A changed page whose text came out the same is an unchanged document after all.
        for status, n in batch.unchanged_text.items():
            self.counts[status] -= n
            self.counts["unchanged"] += n
