"""Duplicate detection v0: exact duplicates on a folded matching form (near-duplicates come next)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import xxhash

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def matching_form(text: str) -> str:
    """Width folded, punctuation and whitespace dropped: only used to compare, never shown."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


def fingerprint(text: str) -> str:
    """Exact-duplicate key of a document's clean text."""
    return xxhash.xxh3_128_hexdigest(matching_form(text).encode("utf-8"))


@dataclass(slots=True)
class Candidate:
    doc_id: str
    match_hash: str
    char_count: int
    published_at: datetime | None = None


@dataclass(slots=True)
class Decision:
    doc_id: str
    cluster_id: str
    dup_kind: str  # unique | exact | near | contained
    is_canonical: bool
    matched_doc_id: str | None = None
    similarity: float | None = None


def assign_clusters(new: list[Candidate], prior: dict[str, str]) -> list[Decision]:
    """Give each new document a cluster: an earlier copy's cluster (earlier runs first), else its own."""
    seen = dict(prior)  # match_hash -> cluster_id
    decisions = []
    for cand in new:
        cluster = seen.get(cand.match_hash)
        if cluster is None:
            seen[cand.match_hash] = cand.doc_id
            decisions.append(Decision(cand.doc_id, cand.doc_id, "unique", True))
        else:
            decisions.append(Decision(cand.doc_id, cluster, "exact", False, cluster, 1.0))
    return decisions
