"""Near-duplicate detection: fingerprints per batch, clusters per run (pure: no disk, no DuckDB).

Per batch (parallel): ``fingerprint(text)`` / ``fingerprint_batch(texts)`` -> Fingerprint
(exact hash of the matching form, MinHash signature (its LSH band keys: lsh.BANDS), sentence keys).
Per run: ``assign_clusters(new, prior, fetch_texts)`` -> DedupPlan, where ``prior`` is the part
of the warehouse's dedup state the new documents can touch (``storage.dedup_store.load_prior``
or, in tests and the evaluator, ``MemoryState``).

Parameters (tuned on devset/dedup, flat around the chosen values; docs/algorithms.md and docs/evaluation.md):
  * 5-character shingles of the matching form. 5 is the usual size for Chinese: 3-grams are
    shared by unrelated official texts (stock phrases), while every edited character destroys
    k shingles, so larger k loses reposts with 1-3 % character edits.
  * one-permutation MinHash with 128 bins (``minhash``: each bin's minimum is read off the
    sorted shingle hashes, empty bins densified); LSH threshold 0.30 -> 64 bands x 2 rows
    (``lsh`` derives them); band candidates below an estimated Jaccard of 0.15 are dropped;
    documents sharing >= 2 sentences are candidates too (long excerpts of long speeches have a
    low Jaccard). Stored signatures carry ``minhash.SIGNATURE_SCHEME``; a warehouse of another
    scheme is migrated when a run opens it (``storage.dedup_migrations.ensure_signature_scheme``).
  * verification on the shingle sets (32-bit hashes; ``containment.MatchPolicy``): same text when Jaccard
    >= 0.5, or >= 0.3 at similar length (ratio >= 0.8: a real redraft); a long excerpt when
    >= 70 % of the smaller text is inside the larger and it reproduces >= 45 % of the larger
    text's body paragraphs (the policy: quotations of 20-40 % are other texts, excerpts of
    >= 50 % are the speech).
"""
from __future__ import annotations

import numpy as np
import xxhash

from .candidates import ClusterConfig
from .cluster import assign_clusters
from .containment import MatchPolicy
from .lsh import BANDS, LSH_THRESHOLD
from .matching import matching_form, prepare
from .containment import titled
from .minhash import shingle_hashes, signatures
from .new_documents import NewDocuments
from .occurrences import Occurrences, PriorReuse, reuse_occurrences
from .records import Assignment, Candidate, DedupPlan, Fingerprint, PriorDoc, PriorIndex
from .reuse import passages, to_int64
from .state import MemoryState

__all__ = [
    "Assignment", "BANDS", "Candidate", "ClusterConfig", "DedupPlan", "Fingerprint", "MatchPolicy",
    "MemoryState", "NewDocuments", "Occurrences", "PriorDoc", "PriorIndex", "PriorReuse", "assign_clusters", "fingerprint",
    "fingerprint_batch", "reuse_occurrences", "signature_batch",
]


def fingerprint_batch(texts: list[str]) -> list[Fingerprint]:
    """Fingerprints of many documents; MinHash runs over all of them at once (see minhash)."""
    prepared = [prepare(t) for t in texts]
    forms = [matching_form(t, prepared=p) for t, p in zip(texts, prepared)]
    hashes = [shingle_hashes(f.text) for f in forms]
    sigs = signatures(hashes)
    out = []
    for text, p, form, h, sig in zip(texts, prepared, forms, hashes, sigs):
        exact = to_int64(xxhash.xxh3_64_intdigest(form.text.encode("utf-8")))
        out.append(Fingerprint(exact, sig, len(h), len(form.text), form.has_masking,
                               form.was_traditional, form.dropped_lines, passages(text, prepared=p),
                               "\n".join(form.lines), titled(form)))
    return out


def signature_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Only the MinHash signatures and band keys of `fingerprint_batch` (what a scheme migration redoes)."""
    sigs = signatures([shingle_hashes(matching_form(t).text) for t in texts])
    return sigs, BANDS.keys(sigs)


def fingerprint(text: str) -> Fingerprint:
    return fingerprint_batch([text])[0]
