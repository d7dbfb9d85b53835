"""In-memory dedup state with the same behaviour as the warehouse tables (tests, evaluation)."""
from __future__ import annotations

from collections import defaultdict

from .records import DedupPlan, Postings, PriorDoc, PriorIndex


class MemoryState:
    """Holds what `save_plan` would persist and answers `load_prior`-style questions."""

    def __init__(self) -> None:
        self.docs: dict[str, PriorDoc] = {}
        self.texts: dict[str, str] = {}
        self.exact: dict[int, list[str]] = defaultdict(list)
        self.bands: dict[int, list[str]] = defaultdict(list)
        self.passages: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        self.reuse: list = []
        self.links: list = []
        self.reasons: dict[str, str | None] = {}

    def prior_for(self, plan_input) -> PriorIndex:
        """The PriorIndex for a list of Candidates: postings they hit plus those clusters' members."""
        idx = PriorIndex()
        hit: set[str] = set()
        bands: dict[int, list[str]] = {}
        passages: dict[int, list[str]] = {}
        for c in plan_input:
            fp = c.fingerprint
            if fp.exact_hash in self.exact:
                idx.exact[fp.exact_hash] = list(self.exact[fp.exact_hash])
                hit.update(idx.exact[fp.exact_hash])
            for key in fp.band_keys.tolist():
                if key in self.bands:
                    bands[key] = list(self.bands[key])
                    hit.update(bands[key])
            for p in fp.passages:
                if p.key in self.passages:
                    passages[p.key] = [d for d, _, _ in self.passages[p.key]]
                    hit.update(passages[p.key])
            if c.doc_id in self.docs:
                hit.add(c.doc_id)
        idx.bands = Postings.of([(k, d) for k, ds in bands.items() for d in ds])
        idx.passages = Postings.of([(k, d) for k, ds in passages.items() for d in ds])
        clusters = {self.docs[d].cluster_id for d in hit}
        idx.docs = {d: p for d, p in self.docs.items() if p.cluster_id in clusters}
        return idx

    def fetch_texts(self, doc_ids: list[str]) -> dict[str, str]:
        return {d: self.texts[d] for d in doc_ids if d in self.texts}

    def apply(self, plan: DedupPlan) -> None:
        for a in plan.assignments:
            c, fp = plan.candidates[a.doc_id], plan.fingerprints[a.doc_id]
            self.docs[a.doc_id] = PriorDoc(a.doc_id, a.cluster_id, fp.exact_hash, fp.signature, fp.n_shingles,
                                           fp.has_masking or c.has_masking, fp.was_traditional, fp.dropped_lines,
                                           c.published_at, c.source_kind, a.is_canonical, a.dup_kind)
            self.texts[a.doc_id] = c.text
            self.reasons[a.doc_id] = a.canonical_reason
            self.exact[fp.exact_hash].append(a.doc_id)
            for key in fp.band_keys.tolist():
                self.bands[key].append(a.doc_id)
            for p in fp.passages:
                self.passages[p.key].append((a.doc_id, p.start, p.end))
        for u in plan.updates:
            p = self.docs[u.doc_id]
            p.is_canonical, p.dup_kind = u.is_canonical, u.dup_kind
            self.reasons[u.doc_id] = u.canonical_reason
        self.reuse.extend(plan.reuse)
        self.links.extend(plan.links)

    def clusters(self) -> dict[str, str]:
        return {d: p.cluster_id for d, p in self.docs.items()}
