"""Upgrades of a warehouse's dedup state, in one transaction each: the signature scheme, and text
reuse stored as passage occurrences. Called under the run lock when a run opens the warehouse."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator

import duckdb
import numpy as np
import pyarrow as pa

from ..dedup import signature_batch
from ..dedup.minhash import SIGNATURE_SCHEME
from ..dedup.occurrences import _shared as shared_keys
from ..dedup.occurrences import pair_keys, spans
from .dedup_store import occurrences_table, registered, sentence_rows_from, text_fetcher
from .sql import named_statements

# What a warehouse that holds dedup state but records no scheme was written with.
UNRECORDED_SCHEME = "perm128"


def ensure_signature_scheme(con: duckdb.DuckDBPyConnection, chunk: int = 1000) -> None:
    """Record the code's signature scheme; when the stored one differs, recompute every signature.

    Signatures of two schemes agree by chance only, so a stored document would silently stop
    matching new ones. The migration recomputes signatures and band keys from documents.text
    with the code that fingerprints new documents, in one transaction (a crash leaves the old
    state and the next run starts again). Call under the run lock.
    """
    sql = named_statements("dedup_state.sql")
    row = con.execute(sql["signature_scheme"]).fetchone()
    if row and row[0] == SIGNATURE_SCHEME:
        return
    with _one_transaction(con):
        doc_ids = [r[0] for r in con.execute(sql["resign_doc_ids"]).fetchall()]
        stored = row[0] if row else UNRECORDED_SCHEME
        if doc_ids and stored != SIGNATURE_SCHEME:
            _resign(con, doc_ids, stored, chunk)
        con.execute(sql["record_signature_scheme"], {"scheme": SIGNATURE_SCHEME})


def _resign(con: duckdb.DuckDBPyConnection, doc_ids: list[str], stored: str, chunk: int) -> None:
    sql = named_statements("dedup_state.sql")
    _say(f"dedup: stored signatures are {stored!r}, this version computes {SIGNATURE_SCHEME!r}:"
         f" recomputing them for {len(doc_ids)} documents")
    start = time.process_time()
    fetch = text_fetcher(con)
    con.execute("DELETE FROM dedup_bands")
    for lo in range(0, len(doc_ids), chunk):
        ids = doc_ids[lo : lo + chunk]
        texts = fetch(ids)
        ids = [d for d in ids if d in texts]  # a state row without its document (none exist) loses its bands
        sigs, keys = signature_batch([texts[d] for d in ids])
        table = pa.table({
            "doc_id": pa.array(ids, pa.string()),
            "signature": pa.array([s.astype("<u4").tobytes() for s in sigs], pa.binary()),
            "band_keys": pa.array(list(keys), pa.list_(pa.int64())),
        })
        with registered(con, {"dedup_resigned": table}):
            con.execute(sql["resign_update_docs"])
            con.execute(sql["resign_insert_bands"])
        if len(doc_ids) > chunk:
            _say(f"dedup: {min(lo + chunk, len(doc_ids))}/{len(doc_ids)} documents re-signed")
    _say(f"dedup: signatures recomputed ({time.process_time() - start:.1f} s CPU)")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # stderr of the CLI; a Prefect flow (log_prints) logs it


# ---- text reuse as passage occurrences ---------------------------------------------------------
REUSE_STATE = "passage-occurrences-v1"


def ensure_reuse_state(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a warehouse written before passage occurrences to them, in one transaction.

    Such a warehouse has a `text_reuse` table (one row per document pair and sentence, sentences
    in more than 50 documents left out) and no pair keys. The occurrences are rebuilt from
    dedup_passages, which holds every sentence of every document: the pair keys are filled, every
    document's spans computed at once, and text_reuse dropped. A crash rolls it all back and the
    next run starts again. Call under the run lock.
    """
    sql = named_statements("dedup_state.sql")
    row = con.execute(sql["reuse_state"]).fetchone()
    if row and row[0] == REUSE_STATE:
        return
    with _one_transaction(con):
        con.execute("ALTER TABLE dedup_passages ADD COLUMN IF NOT EXISTS pair_key BIGINT")
        had_rows = con.execute("SELECT EXISTS (SELECT 1 FROM dedup_passages)").fetchone()[0]
        if had_rows:
            start = time.process_time()
            _say("dedup: text reuse is now stored as passage occurrences: rebuilding them from dedup_passages")
            con.execute(sql["fill_pair_keys"])
            rows = sentence_rows_from(con.execute(sql["all_sentence_rows"]).to_arrow_table())
            pairs, has = pair_keys(rows.key, rows.doc)
            cluster = np.unique(np.array(rows.clusters, dtype=object), return_inverse=True)[1].astype(np.int64)
            per_row = cluster[rows.doc]
            shared = shared_keys(np.concatenate([rows.key, pairs[has]]), np.concatenate([per_row, per_row[has]]))
            occ = spans(rows, shared)
            con.execute("DELETE FROM passage_occurrences")
            with registered(con, {"dedup_plan_occurrences": occurrences_table(occ)}):
                con.execute(sql["migrate_occurrences"])
            _say(f"dedup: {len(occ)} passage occurrences in {len(rows.doc_ids)} documents"
                 f" ({time.process_time() - start:.1f} s CPU)")
        con.execute("DROP TABLE IF EXISTS text_reuse")
        con.execute(sql["record_reuse_state"], {"state": REUSE_STATE})


@contextmanager
def _one_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A migration commits whole or not at all: a crash or an error rolls it back, and the next
    run starts it again."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
