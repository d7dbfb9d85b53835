"""Run-level clustering: candidates from exact hashes, LSH bands and shared passages, verified, then joined."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import canonical
from .containment import MatchPolicy, Overlap, Shingled, compare, similar, verdict
from .matching import matching_form
from .records import Assignment, Candidate, DedupPlan, Postings, PriorIndex, ReuseRow


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Candidate generation limits (see README "Near-duplicates" for the reasons).

    estimate_min      band candidates whose MinHash estimate of the Jaccard is below this are
                      dropped before any text is read (true 0.30 pairs estimate >= 0.18 at 128 perms);
    passage_max_df    a sentence found in more documents than this is a stock phrase or chrome:
                      it neither proposes candidates nor counts as text reuse;
    min_shared        passages two documents must share to become a containment candidate;
    partial_copy_ratio  the larger text of a containment is a partial copy of a member this much bigger;
    contained_ratio   an earlier member smaller than this share of a new canonical becomes `contained`.
    """

    estimate_min: float = 0.15
    passage_max_df: int = 50
    min_shared: int = 2
    partial_copy_ratio: float = 0.8
    contained_ratio: float = 0.7


class _Groups:
    """Union-find over new documents and earlier clusters; earlier clusters never merge."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.prior: set[str] = set()
        self.members: dict[str, list[tuple[int, str]]] = {}

    def add(self, node: str, size: int, doc_id: str, prior: bool = False) -> None:
        if node not in self.parent:
            self.parent[node] = node
            self.members[node] = []
        self.members[node].append((size, doc_id))
        if prior:
            self.prior.add(node)

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def largest(self, node: str, limit: int = 3) -> list[str]:
        return [d for _, d in sorted(self.members[self.find(node)], reverse=True)[:limit]]

    def union(self, a: str, b: str) -> bool | None:
        """Join; False when both sides are earlier clusters (ids never change), None if joined already."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if ra in self.prior and rb in self.prior:
            return False
        if rb in self.prior:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        return True


def assign_clusters(
    new: list[Candidate],
    prior: PriorIndex,
    fetch_texts: Callable[[list[str]], dict[str, str]],
    policy: MatchPolicy = MatchPolicy(),
    config: ClusterConfig = ClusterConfig(),
    new_texts: Callable[[list[str]], dict[str, str]] | None = None,
) -> DedupPlan:
    """Decide cluster, duplicate kind and canonical member for the run's new documents.

    `fetch_texts` reads earlier documents' texts; `new_texts` reads the texts of new documents
    given without one (text None): only those in a candidate pair or holding a shared passage
    are read, a few percent of a large run.
    """
    docs = {c.doc_id: c for c in sorted(new, key=lambda c: c.doc_id) if c.doc_id not in prior.docs}
    plan = DedupPlan(fingerprints={d: c.fingerprint for d, c in docs.items()}, candidates=docs)
    pairs, shared = _candidate_pairs(docs, prior, config)
    plan.stats["candidate_pairs"] = len(pairs)
    _read_needed_texts(docs, pairs, shared, new_texts)

    prior_needed = sorted({d for pair in pairs for d in pair if d not in docs})
    texts = fetch_texts(prior_needed) if prior_needed else {}
    cache: dict[str, Shingled] = {}

    def shingled(doc_id: str) -> Shingled:
        if doc_id not in cache:
            text = docs[doc_id].text if doc_id in docs else texts.get(doc_id)
            if text is None:
                text = fetch_texts([doc_id]).get(doc_id, "")
            cache[doc_id] = Shingled.from_form(doc_id, matching_form(text))
        return cache[doc_id]

    def exact_hash(doc_id: str) -> int:
        return docs[doc_id].fingerprint.exact_hash if doc_id in docs else prior.docs[doc_id].exact_hash

    edges: list[tuple[str, Overlap]] = []
    for a, b in sorted(pairs):
        if exact_hash(a) == exact_hash(b):
            edges.append(("exact", Overlap(a, b, 1.0, 1.0, 1.0, 1.0)))
            continue
        ov = compare(shingled(a), shingled(b), policy)
        kind = verdict(ov, policy)
        if kind:
            edges.append((kind, ov))
    plan.stats.update({f"edges_{k}": sum(1 for e in edges if e[0] == k) for k in ("exact", "near", "contained")})

    groups = _Groups()
    for d, c in docs.items():
        groups.add(d, c.fingerprint.n_shingles, d)
    node = {d: d for d in docs}
    for p in prior.docs.values():
        groups.add(p.cluster_id, p.n_shingles, p.doc_id, prior=True)
        node[p.doc_id] = p.cluster_id

    def join(ov: Overlap) -> None:
        if groups.union(node[ov.small], node[ov.large]) is False:
            plan.links.append((groups.find(node[ov.small]), groups.find(node[ov.large]),
                               ov.small if ov.small in docs else ov.large, round(ov.jaccard, 4)))

    # Strongest evidence first, so a document between two earlier clusters joins the closer one.
    by_similarity = [e for e in edges if e[0] == "exact" or similar(e[1], policy)]
    for kind, ov in sorted(by_similarity, key=lambda e: (e[0] != "exact", -e[1].jaccard)):
        join(ov)
    # Containment last, larger excerpts first. When the larger text is itself a partial copy of
    # a bigger member of its cluster, the smaller one is judged against that bigger member, so
    # a quotation does not ride in on an excerpt of the speech it quotes.
    joined = {id(e) for e in by_similarity}
    by_coverage = [e for e in edges if id(e) not in joined]
    for kind, ov in sorted(by_coverage, key=lambda e: (-shingled(e[1].small).size, e[1].small, e[1].large)):
        if groups.find(node[ov.small]) == groups.find(node[ov.large]):
            continue
        large = shingled(ov.large)
        for bigger in groups.largest(node[ov.large]):
            # only a clearly bigger member makes the larger text a partial copy
            if bigger in (ov.large, ov.small) or large.size >= config.partial_copy_ratio * shingled(bigger).size:
                continue
            if compare(large, shingled(bigger), policy).contained >= policy.contained_min:
                if verdict(compare(shingled(ov.small), shingled(bigger), policy), policy) is None:
                    break
        else:
            join(ov)

    _assign(plan, docs, prior, groups, node, edges, config)
    plan.reuse = _text_reuse(plan, docs, prior, shared)
    plan.stats["reuse_rows"] = len(plan.reuse)
    plan.stats["refused_cluster_merges"] = len(plan.links)
    return plan


def _read_needed_texts(docs: dict[str, Candidate], pairs, shared: _Shared, new_texts) -> None:
    needed = {d for pair in pairs for d in pair if d in docs}
    needed |= {shared.ids[h] for h in np.unique(shared.holders[shared.holders < len(docs)]).tolist()}
    missing = sorted(d for d in needed if docs[d].text is None)
    if not missing:
        return
    if new_texts is None:
        raise ValueError("new documents without text need assign_clusters(new_texts=...)")
    texts = new_texts(missing)
    for d in missing:
        docs[d].text = texts.get(d, "")


@dataclass(slots=True)
class _Shared:
    """Sentences shared by two documents (at least one of them new), with their holders.

    Documents are numbers (`ids[n]`; the new ones first, in doc_id order). The holders of
    `keys[i]` are `holders[bounds[i]:bounds[i + 1]]`, ascending, each once.
    """

    ids: list[str]
    keys: np.ndarray
    bounds: np.ndarray
    holders: np.ndarray

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Index into `keys` of each given key, -1 where it is not shared."""
        if not len(self.keys):
            return np.full(len(keys), -1, np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[at] == keys, at, -1)


def _candidate_pairs(docs: dict[str, Candidate], prior: PriorIndex, config: ClusterConfig):
    """Pairs (a < b, at least one new) worth verifying, and the shared passages (`_Shared`).

    Postings become (key, document number) arrays, sorted once: a run of equal keys is a group of
    documents sharing an LSH band or a sentence. Every step after that is numpy over all pairs at
    once; a per-pair Python loop cost seconds per thousand documents, and chance band collisions
    grow with the square of the corpus.
    """
    ids = list(docs) + [d for d in prior.docs if d not in docs]
    number = {d: i for i, d in enumerate(ids)}
    n_new = len(docs)
    pairs: set[tuple[str, str]] = set()

    def add(a: str, b: str) -> None:
        if a != b:
            pairs.add((a, b) if a < b else (b, a))

    by_hash: dict[int, list[str]] = defaultdict(list)
    for d, c in docs.items():
        fp = c.fingerprint
        for other in by_hash[fp.exact_hash] + prior.exact.get(fp.exact_hash, []):
            add(d, other)
        by_hash[fp.exact_hash].append(d)

    # LSH bands: a shared band key proposes the pair; the signatures' agreement must reach estimate_min
    keys, holders = _postings([c.fingerprint.band_keys for c in docs.values()], prior.bands, number)
    a, b, _ = _pairs_in_groups(keys, holders, n_new)
    if len(a):
        sigs = np.stack([docs[d].fingerprint.signature if i < n_new else prior.docs[d].signature
                         for i, d in enumerate(ids)])
        agree = np.empty(len(a), dtype=np.int64)
        for lo in range(0, len(a), 1 << 11):  # 2 Ki pairs x 128 values: the scratch stays in cache
            hi = lo + (1 << 11)
            agree[lo:hi] = np.count_nonzero(sigs[a[lo:hi]] == sigs[b[lo:hi]], axis=1)
        close = agree >= config.estimate_min * sigs.shape[1]
        for i, j in zip(a[close].tolist(), b[close].tolist()):
            add(ids[i], ids[j])

    # shared passages: containment candidates whatever the Jaccard (a long excerpt of a long speech)
    new_keys = [c.fingerprint.passages.keys for c in docs.values()]
    keys, holders = _postings(new_keys, prior.passages, number, n_new)
    # a sentence in more than passage_max_df postings is a stock phrase or chrome
    starts, counts = _groups(keys)
    common = np.repeat(counts > config.passage_max_df, counts)
    keys, holders = keys[~common], holders[~common]
    a, b, key_of_pair = _pairs_in_groups(keys, holders, n_new, distinct=True)
    shared = _Shared(ids, np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int64))
    if len(a):
        uniq, n_shared = _counted(a.astype(np.int64) * len(ids) + b)
        n_passages = np.array([len(c.fingerprint.passages) for c in docs.values()]
                              + [1 << 30] * (len(ids) - n_new))
        ua, ub = uniq // len(ids), uniq % len(ids)
        few = np.minimum(n_passages[ua], n_passages[ub]) <= config.min_shared
        keep = (n_shared >= config.min_shared) | few
        for i, j in zip(ua[keep].tolist(), ub[keep].tolist()):
            add(ids[i], ids[j])
        shared.keys = _counted(key_of_pair)[0]
        rows = shared.find(keys) >= 0  # rows sorted by (key, holder); an earlier document may repeat
        keys, holders = keys[rows], holders[rows]
        once = np.concatenate(([True], (keys[1:] != keys[:-1]) | (holders[1:] != holders[:-1])))
        keys, holders = keys[once], holders[once]
        starts, _ = _groups(keys)
        shared.bounds = np.append(starts, len(keys))
        shared.holders = holders
    return pairs, shared


def _postings(new: list[np.ndarray], prior: Postings, number: dict[str, int],
              n_new: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(key, document number) rows of the new documents (numbered in order) and the prior
    postings, sorted by key then number; a new document's repeated key (numbers below n_new)
    is kept once, as the warehouse keeps one posting per sentence occurrence of earlier ones.
    Prior postings of documents without a number are left out."""
    sizes = [len(k) for k in new]
    prior_nums = np.fromiter((number.get(d, -1) for d in prior.doc_ids), dtype=np.int64, count=len(prior))
    known = prior_nums >= 0
    keys_a = np.concatenate([np.concatenate(new).astype(np.int64) if new else np.zeros(0, np.int64),
                             prior.keys[known]])
    nums_a = np.concatenate([np.repeat(np.arange(len(new), dtype=np.int64), sizes), prior_nums[known]])
    order = np.lexsort((nums_a, keys_a))
    keys_a, nums_a = keys_a[order], nums_a[order]
    if n_new and len(keys_a):
        repeat = np.concatenate(([False], (keys_a[1:] == keys_a[:-1]) & (nums_a[1:] == nums_a[:-1])))
        keep = ~(repeat & (nums_a < n_new))
        keys_a, nums_a = keys_a[keep], nums_a[keep]
    return keys_a, nums_a


def _counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (sorted) and how often each occurs: np.unique by sorting, which is several
    times faster than np.unique's hash table on these arrays of int64 codes."""
    values = np.sort(values)
    starts, counts = _groups(values)
    return values[starts], counts


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in a sorted array."""
    if not len(keys):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return starts, np.diff(np.append(starts, len(keys)))


def _pairs_in_groups(keys: np.ndarray, holders: np.ndarray, n_new: int, distinct: bool = False):
    """All pairs (a < b) of documents holding the same key, with at least one new document
    (number < n_new). Rows must be sorted by (key, holder). With `distinct`, each pair comes
    once per key it shares (the key is returned with it); without, once. Returns (a, b, key)."""
    if len(keys):  # a holder listed twice under one key (a repeated sentence) pairs once
        first = np.concatenate(([True], (keys[1:] != keys[:-1]) | (holders[1:] != holders[:-1])))
        keys, holders = keys[first], holders[first]
    starts, counts = _groups(keys)
    # row r pairs with the rows after it in its group: `later[r]` of them
    group_end = np.repeat(starts + counts, counts)
    later = group_end - np.arange(len(keys)) - 1
    total = int(later.sum())
    if total == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    row_a = np.repeat(np.arange(len(keys)), later)
    block_start = np.repeat(np.cumsum(later) - later, later)
    row_b = row_a + 1 + (np.arange(total) - block_start)
    a, b, k = holders[row_a], holders[row_b], keys[row_a]  # a < b: holders sorted in a group
    keep = a < n_new
    a, b, k = a[keep], b[keep], k[keep]
    if distinct:
        return a, b, k
    width = int(holders.max()) + 1
    codes = _counted(a * width + b)[0]
    return codes // width, codes % width, np.zeros(len(codes), np.int64)


def _member(doc_id: str, docs: dict[str, Candidate], prior: PriorIndex) -> canonical.Member:
    if doc_id in docs:
        c, fp = docs[doc_id], docs[doc_id].fingerprint
        return canonical.Member(doc_id, fp.n_shingles, fp.has_masking or c.has_masking, fp.was_traditional,
                                fp.dropped_lines, c.published_at, c.source_kind)
    p = prior.docs[doc_id]
    return canonical.Member(doc_id, p.n_shingles, p.has_masking, p.was_traditional, p.dropped_lines,
                            p.published_at, p.source_kind)


def _centrality(signatures: list[np.ndarray], sample: int = 200) -> np.ndarray:
    """Mean MinHash agreement of each member with (a fixed sample of) the other members."""
    sigs = np.stack(signatures)
    ref = sigs[:sample]
    total = (sigs[:, None, :] == ref[None, :, :]).mean(axis=2).sum(axis=1)
    n = len(ref)
    in_sample = np.arange(len(sigs)) < n  # those rows met themselves once (agreement 1.0)
    return np.where(in_sample, (total - 1.0) / max(n - 1, 1), total / n)


def _assign(plan, docs, prior, groups, node, edges, config) -> None:
    members: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        members[groups.find(d)].append(d)
    prior_members: dict[str, list[str]] = defaultdict(list)
    for p in prior.docs.values():
        prior_members[p.cluster_id].append(p.doc_id)

    best: dict[str, tuple[float, str]] = {}
    excerpt: set[str] = set()  # new documents verified as the smaller side of a containment
    for kind, ov in edges:
        for me, other in ((ov.small, ov.large), (ov.large, ov.small)):
            if me in docs and groups.find(node[me]) == groups.find(node[other]):
                sim = ov.jaccard if kind != "contained" else ov.contained
                best[me] = max(best.get(me, (-1.0, "")), (sim, other))
                if kind == "contained" and me == ov.small:
                    excerpt.add(me)

    for root, new_ids in sorted(members.items()):
        if len(new_ids) == 1 and root not in groups.prior and root not in prior_members:
            # a new document alone in its cluster (most of them): the rule's answer is fixed
            plan.assignments.append(Assignment(new_ids[0], "c" + new_ids[0], "unique", True, "only member"))
            continue
        cluster_id = root if root in groups.prior else "c" + min(new_ids)
        everyone = sorted(set(new_ids) | set(prior_members.get(root, ())))
        roster = [_member(d, docs, prior) for d in everyone]
        if len(roster) > 2:
            sigs = [docs[d].fingerprint.signature if d in docs else prior.docs[d].signature for d in everyone]
            for m, c in zip(roster, _centrality(sigs)):
                m.centrality = float(c)
        chosen, reason = canonical.choose(roster)
        top = docs[chosen.doc_id].fingerprint if chosen.doc_id in docs else prior.docs[chosen.doc_id]
        hashes = [docs[d].fingerprint.exact_hash if d in docs else prior.docs[d].exact_hash for d in everyone]
        repeated = {h for h, n in Counter(hashes).items() if n > 1}
        for d, ehash, m in zip(everyone, hashes, roster):
            if d == chosen.doc_id:
                kind = "unique"
            elif ehash in repeated:  # an exact copy (on the matching form) of another member
                kind = "exact"
            elif d in excerpt if d in docs else m.n_shingles < config.contained_ratio * top.n_shingles:
                kind = "contained"  # earlier documents have no edges here: judged by size
            else:
                kind = "near"
            is_canon = d == chosen.doc_id
            if d in docs:
                sim, other = best.get(d, (None, None))
                plan.assignments.append(Assignment(d, cluster_id, kind, is_canon, reason if is_canon else None,
                                                   other, None if sim is None else round(sim, 4)))
            else:
                p = prior.docs[d]
                if p.is_canonical != is_canon or p.dup_kind != kind:
                    plan.updates.append(Assignment(d, cluster_id, kind, is_canon, reason if is_canon else None))


def _text_reuse(plan, docs, prior, shared: _Shared) -> list[ReuseRow]:
    """Sentences a new document shares with documents of other clusters (new or earlier).

    One row per (document, other document, sentence key), at the first place the document holds
    that sentence; a pair of new documents is reported once, from the smaller id. Numpy over every
    (passage, holder) row in document, text and holder order; only the rows kept become objects.
    """
    if not len(shared.keys) or not docs:
        return []
    cands = list(docs.values())
    passages = [c.fingerprint.passages for c in cands]
    p_keys = np.concatenate([p.keys for p in passages])
    p_doc = np.repeat(np.arange(len(cands), dtype=np.int64), [len(p) for p in passages])
    at = shared.find(p_keys)
    held = np.flatnonzero(at >= 0)
    first, count = shared.bounds[at[held]], np.diff(shared.bounds)[at[held]]
    row = np.repeat(held, count)  # one row per (passage, holder)
    within = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    other = shared.holders[np.repeat(first, count) + within]
    mine = p_doc[row]

    cluster_of = {a.doc_id: a.cluster_id for a in plan.assignments}
    cluster_of.update({p.doc_id: p.cluster_id for p in prior.docs.values()})
    names = [cluster_of.get(d) for d in shared.ids]
    code = {c: i for i, c in enumerate(dict.fromkeys(n for n in names if n is not None))}
    cluster = np.array([-1 if n is None else code[n] for n in names], dtype=np.int64)
    new_and_smaller = (other < len(cands)) & (other < mine)  # new documents are numbered in doc_id order
    keep = (other != mine) & ~new_and_smaller & (cluster[other] >= 0) & (cluster[other] != cluster[mine])
    row, other, mine = row[keep], other[keep], mine[keep]
    # the first row of each (document, other, key)
    order = np.lexsort((np.arange(len(row)), p_keys[row], other, mine))
    triple = np.stack([mine[order], other[order], p_keys[row][order]])
    starts = np.concatenate(([True], (triple[:, 1:] != triple[:, :-1]).any(axis=0)))[: len(order)]
    kept = np.sort(order[starts])
    p_starts = np.concatenate([p.starts for p in passages])
    p_ends = np.concatenate([p.ends for p in passages])
    out: list[ReuseRow] = []
    for r, o, m in zip(row[kept].tolist(), other[kept].tolist(), mine[kept].tolist()):
        start, end = int(p_starts[r]), int(p_ends[r])
        out.append(ReuseRow(shared.ids[m], shared.ids[o], names[m], names[o], int(p_keys[r]), start, end,
                            cands[m].text[start:end]))
    return out
