"""In-memory dedup state with the same behaviour as the warehouse tables (tests, evaluation)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from .lsh import BANDS
from .occurrences import SentenceRows, pair_keys
from .records import DedupPlan, Postings, PriorDoc, PriorIndex


class MemoryState:
    """Holds what `save_plan` would persist and answers `load_prior`-style questions."""

    def __init__(self) -> None:
        self.docs: dict[str, PriorDoc] = {}
        self.texts: dict[str, str] = {}
        self.exact: dict[int, list[str]] = defaultdict(list)
        self.bands: dict[int, list[str]] = defaultdict(list)
        self.passages: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        # passage occurrences: doc_id -> its spans (passage_key, start, end, sentences, link keys)
        self.occurrences: dict[str, list[tuple[int, int, int, int, tuple[int, ...]]]] = {}
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
            for key in BANDS.keys(fp.signature)[0].tolist():
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
        # copies: the candidate search makes their signatures rows of its run's matrix, which
        # this state's own documents would then keep alive for as long as they live
        idx.docs = {d: replace(p) for d, p in self.docs.items() if p.cluster_id in clusters}
        return idx

    def fetch_texts(self, doc_ids: list[str]) -> dict[str, str]:
        return {d: self.texts[d] for d in doc_ids if d in self.texts}

    def apply(self, plan: DedupPlan) -> None:
        for a in plan.assignments:
            c = plan.candidates[a.doc_id]
            fp = c.fingerprint
            # (its own copy of the signature: fp's is a row of the run's search matrix)
            self.docs[a.doc_id] = PriorDoc(a.doc_id, a.cluster_id, fp.exact_hash, np.array(fp.signature), fp.n_shingles,
                                           fp.has_masking or c.has_masking, fp.was_traditional, fp.dropped_lines,
                                           c.published_at, c.source_kind, a.is_canonical, a.dup_kind,
                                           titled=bool(c.title))
            self.texts[a.doc_id] = c.text
            self.reasons[a.doc_id] = a.canonical_reason
            self.exact[fp.exact_hash].append(a.doc_id)
            for key in BANDS.keys(fp.signature)[0].tolist():
                self.bands[key].append(a.doc_id)
            for p in fp.passages:
                self.passages[p.key].append((a.doc_id, p.start, p.end))
        for u in plan.updates:
            p = self.docs[u.doc_id]
            p.is_canonical, p.dup_kind = u.is_canonical, u.dup_kind
            self.reasons[u.doc_id] = u.canonical_reason
        occ = plan.occurrences
        if occ is not None:
            for d in occ.touched:
                self.occurrences.pop(d, None)
            for i, d in enumerate(occ.doc_ids):
                self.occurrences.setdefault(d, []).append(
                    (int(occ.passage_key[i]), int(occ.start[i]), int(occ.end[i]), int(occ.sentences[i]),
                     tuple(occ.link_keys(i).tolist())))
        self.links.extend(plan.links)

    def clusters(self) -> dict[str, str]:
        return {d: p.cluster_id for d, p in self.docs.items()}

    # ---- PriorReuse: what the warehouse answers from dedup_passages ----------------------------
    def _rows(self, doc_ids: list[str]) -> SentenceRows:
        doc, key, start, end = [], [], [], []
        for i, d in enumerate(doc_ids):
            for k, a, b in sorted(self._sentences.get(d, []), key=lambda r: r[1]):
                doc.append(i), key.append(k), start.append(a), end.append(b)
        return SentenceRows(list(doc_ids), [self.docs[d].cluster_id for d in doc_ids],
                            np.array(doc, np.int64), np.array(key, np.int64), np.array(start, np.int64),
                            np.array(end, np.int64))

    @property
    def _sentences(self) -> dict[str, list[tuple[int, int, int]]]:
        by_doc: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for key, rows in self.passages.items():
            for d, a, b in rows:
                by_doc[d].append((key, a, b))
        return by_doc

    def _key_holders(self) -> dict[int, set[str]]:
        everyone = self._rows(sorted(self.docs))
        pairs, has = pair_keys(everyone.key, everyone.doc)
        out: dict[int, set[str]] = defaultdict(set)
        for k, d in zip(np.concatenate([everyone.key, pairs[has]]).tolist(),
                        np.concatenate([everyone.doc, everyone.doc[has]]).tolist()):
            out[k].add(everyone.doc_ids[d])
        return out

    def key_clusters(self, keys: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, list[str]]:
        holders = self._key_holders()
        out_k, out_c = [], []
        for k in set(keys.tolist()) | set(pairs.tolist()):
            clusters = sorted({self.docs[d].cluster_id for d in holders.get(k, ())})
            for c in {clusters[0], clusters[-1]} if clusters else ():
                out_k.append(k)
                out_c.append(c)
        return np.array(out_k, np.int64), out_c

    def holders(self, keys: np.ndarray, pairs: np.ndarray) -> list[str]:
        holders = self._key_holders()
        return sorted({d for k in set(keys.tolist()) | set(pairs.tolist()) for d in holders.get(k, ())})

    def sentence_rows(self, doc_ids: list[str]) -> SentenceRows:
        return self._rows(doc_ids)
