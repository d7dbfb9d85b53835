"""Run-level clustering: candidates from exact hashes, LSH bands and shared passages, verified, then joined."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Callable, Sequence

import numpy as np

from ..memory import trim_heap
from . import canonical
from .candidates import ClusterConfig, SignatureReader, candidate_pairs
from .containment import MatchPolicy, Shingled, compare, similar, verdict
from .containment import titled as is_titled
from .groups import DocumentGroups, VerifiedPairs
from .matching import matching_form
from .minhash import NUM_PERM
from .occurrences import PriorReuse, reuse_occurrences
from .pair_arrays import groups as runs
from .new_documents import NewDocuments
from .records import Assignment, Candidate, DedupPlan, PriorIndex
from .shingle_cache import RecentShingles
from .verification import Helper, verify_in_order, worth_a_helper


def assign_clusters(
    new: list[Candidate] | NewDocuments,
    prior: PriorIndex,
    fetch_texts: Callable[[list[str]], dict[str, str]],
    policy: MatchPolicy = MatchPolicy(),
    config: ClusterConfig = ClusterConfig(),
    new_texts: Callable[[list[str]], dict[str, str]] | None = None,
    reuse: PriorReuse | None = None,
    new_signatures: SignatureReader | None = None,
    new_lines: Callable[[list[str]], dict[str, str]] | None = None,
    start_helper: Callable[[MatchPolicy], Helper | None] | None = None,
) -> DedupPlan:
    """Decide cluster, duplicate kind and canonical member for the run's new documents.

    `fetch_texts` reads earlier documents' texts; `new_texts` reads the texts of new documents
    given without one (text None) and without matching lines: only those in a candidate pair.
    `reuse` answers for earlier documents' sentences (the warehouse, or a MemoryState); the plan's
    text reuse (`occurrences`) is computed against it (None: nothing was loaded before).
    `new_signatures` reads the signatures of new documents given without one (signature None);
    `new_lines` the matching lines of those given without them, read after the candidate search
    for the documents in a pair.
    `start_helper` starts a process that compares pairs beside this one (verification.py), asked
    only when there are many pairs to compare; the plan is the same with it or without.
    A document already in `prior` is not new; of a doc_id given twice, the last counts.
    """
    docs = new.without(prior.docs) if isinstance(new, NewDocuments) else NewDocuments.of(new, leave_out=prior.docs)
    del new
    plan = DedupPlan(candidates=docs)
    cands = candidate_pairs(docs, prior, config, new_signatures)
    # The search's many freed arrays stay in the process's RSS under the verification's objects
    # until handed back (60 MB of notices: 851 -> 701 MB here, the verification's top 977 -> 899 MB).
    trim_heap()
    plan.stats["candidate_pairs"] = len(cands)
    # (started before the lines and texts are read, so that its imports overlap with that)
    helper = start_helper(policy) if start_helper is not None and worth_a_helper(cands) else None
    # the pairs as numbers into cands.ids: a tuple of two strings per pair was ~60 MB at 120 MB
    ids = cands.ids
    in_pairs = [ids[i] for i in np.unique(np.concatenate((cands.a, cands.b))).tolist()]
    if new_lines is not None:
        lines = docs.objects["matching_lines"]
        docs.set_matching_lines(new_lines([d for d in in_pairs if (i := docs.row.get(d)) is not None and lines[i] is None]))
        del lines  # (the column is let go after verification: this name would have kept it, 38 MB)
    new_texts_read = _read_needed_texts(docs, in_pairs, new_texts)

    prior_needed = sorted(d for d in in_pairs if d not in docs)
    del in_pairs
    texts = fetch_texts(prior_needed) if prior_needed else {}
    texts.update(new_texts_read)
    # Earlier documents' matching lines, folded once from their fetched texts (the warehouse
    # keeps the text, not the form): their shingles were kept instead, all of them, ~3 times the
    # bytes, +335 MB when 23,074 files came into the 45,929-document warehouse.
    folded: dict[str, tuple[str, bool]] = {}
    # Shingles are rebuilt from matching lines in ~30 us, so only the most recently used are
    # kept: holding every compared document's shingles grew with the corpus.
    recent = RecentShingles()

    def lines_of(doc_id: str) -> tuple[str, bool]:
        """A document's matching lines (joined) and whether its first line is a title."""
        row = docs.row.get(doc_id)
        # (read with those of every document in a pair: `new_lines` above)
        lines = None if row is None else docs.objects["matching_lines"][row]
        if lines is not None:  # folded once, by the worker
            return lines, bool(docs.numbers["titled"][row])
        if doc_id not in folded:
            # a text read here is needed once: its matching lines stay, the string goes
            text = texts.pop(doc_id, None)
            if text is None and row is not None:
                text = docs.objects["text"][row]
            if text is None:
                text = fetch_texts([doc_id]).get(doc_id, "")
            form = matching_form(text)
            folded[doc_id] = ("\n".join(form.lines), is_titled(form))  # (form.text is its lines joined)
        return folded[doc_id]

    def shingled(doc_id: str) -> Shingled:
        hit = recent.get(doc_id)
        if hit is not None:  # the common case first: called ~20 times per new document
            return hit
        return recent.add(Shingled.from_lines(doc_id, *lines_of(doc_id)))

    sizes = docs.numbers["n_shingles"].tolist()
    groups = DocumentGroups(ids, len(docs), sizes, prior)
    edges = VerifiedPairs(ids)
    skipped = verify_in_order(cands, groups, edges, shingled, policy, helper, lines_of)
    plan.stats["verified_pairs"] = len(cands) - skipped
    del cands  # verified: its arrays (~17 bytes a pair, millions of pairs) need not wait for the joining
    plan.stats.update({f"edges_{k}": edges.count(k) for k in VerifiedPairs.KINDS})

    del groups  # before the next ones are built: two of them at once were the decision's peak
    groups = DocumentGroups(ids, len(docs), sizes, prior)

    def join(i: int) -> None:
        small, large = edges.small[i], edges.large[i]
        if groups.union(small, large) is False:
            ov = edges.overlap(i)
            plan.links.append((groups.name(groups.find(groups.node[small])),
                               groups.name(groups.find(groups.node[large])),
                               ov.small if ov.small in docs else ov.large, round(ov.jaccard, 4)))

    # Strongest evidence first, so a document between two earlier clusters joins the closer one.
    is_similar = np.array([edges.kinds[i] == 0 or similar(edges.overlap(i), policy) for i in range(len(edges))],
                          dtype=bool)
    not_exact = np.frombuffer(edges.kinds, dtype=np.uint8) != 0
    # (a stable sort: on equal keys, the order verified)
    for i in np.flatnonzero(is_similar)[np.lexsort((-edges.jaccards()[is_similar], not_exact[is_similar]))].tolist():
        join(i)
    # Containment last, larger excerpts first. When the larger text is itself a partial copy of
    # a bigger member of its cluster, the smaller one is judged against that bigger member, so
    # a quotation does not ride in on an excerpt of the speech it quotes.
    # (by number, each pair's Overlap made when its turn comes: the 308,000 of them made first
    # were ~78 MB at 120 MB of notices, held on through the canonical rule)
    by_coverage = sorted(np.flatnonzero(~is_similar).tolist(),
                         key=lambda i: (-shingled(ids[edges.small[i]]).size, ids[edges.small[i]], ids[edges.large[i]]))
    del is_similar, not_exact
    for i in by_coverage:
        if groups.same(edges.small[i], edges.large[i]):
            continue
        ov = edges.overlap(i)
        large = shingled(ov.large)
        for bigger in groups.largest(edges.large[i]):
            # only a clearly bigger member makes the larger text a partial copy
            if bigger in (ov.large, ov.small) or large.size >= config.partial_copy_ratio * shingled(bigger).size:
                continue
            if compare(large, shingled(bigger), policy).contained >= policy.contained_min:
                if verdict(compare(shingled(ov.small), shingled(bigger), policy), policy) is None:
                    break
        else:
            join(i)
    del by_coverage

    # The shingle sets and texts are done with, and the text-reuse step below peaks on top of
    # whatever the heap still holds of them (~130 MB at 120 MB of real paragraphs).
    recent.clear()
    folded.clear()
    texts.clear()
    # (the matching lines served verification: 38 MB at 120 MB of notices)
    docs.objects["matching_lines"] = [None] * len(docs)
    trim_heap()
    _assign(plan, docs, prior, groups, edges, config, new_signatures)
    # What the canonical rule's big clusters freed, under the text reuse's arrays (120 MB of
    # notices: 650 -> 556 MB here)
    trim_heap()
    plan.stats["refused_cluster_merges"] = len(plan.links)
    plan.occurrences = reuse_occurrences(plan, reuse)
    plan.stats["passage_occurrences"] = len(plan.occurrences)
    return plan


def _read_needed_texts(docs: NewDocuments, in_pairs: list[str], new_texts) -> dict[str, str]:
    """Texts of the new documents in a candidate pair that came without one and without their
    matching lines (read in one go)."""
    text, lines = docs.objects["text"], docs.objects["matching_lines"]
    missing = sorted(d for d in in_pairs if (i := docs.row.get(d)) is not None and text[i] is None and lines[i] is None)
    if not missing:
        return {}
    if new_texts is None:
        raise ValueError("new documents without text need assign_clusters(new_texts=...)")
    texts = new_texts(missing)
    return {d: texts.get(d, "") for d in missing}


def _member(doc_id: str, docs: NewDocuments, prior: PriorIndex) -> canonical.Member:
    i = docs.row.get(doc_id)
    if i is not None:
        num, obj = docs.numbers, docs.objects
        return canonical.Member(doc_id, int(num["n_shingles"][i]), bool(num["fp_masking"][i] or num["has_masking"][i]),
                                bool(num["was_traditional"][i]), int(num["dropped_lines"][i]), obj["published_at"][i],
                                obj["source_kind"][i], titled=bool(obj["title"][i]))
    p = prior.docs[doc_id]
    return canonical.Member(doc_id, p.n_shingles, p.has_masking, p.was_traditional, p.dropped_lines,
                            p.published_at, p.source_kind, was_canonical=p.is_canonical, titled=p.titled)


def _centrality(signatures: Sequence[np.ndarray], keys: list | None = None, sample: int = 200) -> np.ndarray:
    """Mean MinHash agreement of each member with (a fixed sample of) the other members.

    Members of equal `keys` (exact hashes: one matching form, one signature) are compared once:
    most of a notice cluster's thousands of members are copies of a few texts. The sums are of
    whole counts of equal values, so the answer is the same to the last bit.
    """
    unique: dict = {}
    rows: list[np.ndarray] = []
    inverse = np.empty(len(signatures), dtype=np.int64)
    for i, key in enumerate(range(len(signatures)) if keys is None else keys):
        u = unique.get(key)
        if u is None:
            u = unique[key] = len(rows)
            rows.append(signatures[i])
        inverse[i] = u
    n = min(sample, len(signatures))
    ref_rows, ref_weight = np.unique(inverse[:n], return_counts=True)
    ref = np.stack([rows[r] for r in ref_rows.tolist()])
    # rows a slice at a time: a cluster of 10,000 texts compared at once took 256 MB of booleans,
    # and all its texts' signatures stacked at once ~50 MB at 100,000 texts (300,000 notices)
    agree = np.concatenate([(np.stack(rows[lo:lo + 256])[:, None, :] == ref[None, :, :]).sum(axis=2) @ ref_weight
                            for lo in range(0, len(rows), 256)])
    total = agree[inverse] / ref.shape[1]
    in_sample = np.arange(len(signatures)) < n  # those rows met themselves once (agreement 1.0)
    return np.where(in_sample, (total - 1.0) / max(n - 1, 1), total / n)


class _Lazy:
    """A sequence whose item i is get(i), computed when asked (each time)."""

    def __init__(self, get: Callable[[int], Any], length: int) -> None:
        self.get, self.length = get, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> Any:
        if not 0 <= i < self.length:
            raise IndexError(i)
        return self.get(i)


def _assign(plan, docs, prior, groups, edges, config, read_signatures=None) -> None:
    n_new, ids = groups.n_new, groups.ids
    # The new documents by group (runs of `order`), the groups in the order of their names
    # (a dict of a list per group was ~0.2 KB a document, for groups that are mostly alone).
    roots = groups.roots()
    order = np.argsort(roots, kind="stable")
    starts, counts = runs(roots[order])
    root_of = roots[order[starts]].tolist()
    del roots
    by_name = sorted(range(len(root_of)), key=lambda j: groups.name(root_of[j]))
    starts, counts = starts.tolist(), counts.tolist()
    prior_members: dict[str, list[str]] = defaultdict(list)
    for p in prior.docs.values():
        prior_members[p.cluster_id].append(p.doc_id)

    def members(j: int) -> tuple[int, list[str], list[str]]:
        """Group j's root, its new documents and its earlier ones."""
        root = root_of[j]
        new_ids = [ids[i] for i in order[starts[j]:starts[j] + counts[j]].tolist()]
        return root, new_ids, prior_members.get(groups.name(root), []) if groups.is_prior(root) else []

    def alone(j: int) -> bool:
        return counts[j] == 1 and not groups.is_prior(root_of[j])

    # The canonical rule reads the signatures of clusters of three or more: those of their new
    # members that came without one are read in one go, one per matching form (its exact hash:
    # exact copies have one signature, and most members of a notice's cluster are copies).
    unsigned: dict[int, str] = {}
    new_hashes = docs.numbers["exact_hash"]
    for j in range(len(root_of)) if docs.signatures is None else ():
        if not alone(j):
            _, new_ids, prior_ids = members(j)
            if len(new_ids) + len(prior_ids) > 2:
                for d in new_ids:
                    unsigned.setdefault(int(new_hashes[docs.row[d]]), d)
    read_rows = {h: i for i, h in enumerate(unsigned)}
    read_sigs = np.empty((len(unsigned), NUM_PERM), dtype=np.uint32)
    if unsigned:
        if read_signatures is None:
            raise ValueError("new documents without a signature need assign_clusters(new_signatures=...)")
        read_signatures(list(unsigned.values()), read_sigs)
    del unsigned

    def signature(d: str) -> np.ndarray:
        i = docs.row.get(d)
        if i is None:
            return prior.docs[d].signature
        return docs.signatures[i] if docs.signatures is not None else read_sigs[read_rows[int(new_hashes[i])]]

    # Each new document's closest verified match within its cluster (the largest similarity, then
    # the largest doc_id), by number: a dict of a tuple each was ~50 MB at 360,000 notices.
    best_sim = np.full(n_new, -1.0)
    best_other = np.full(n_new, -1, dtype=np.int64)
    for i in range(len(edges)):
        small, large = edges.small[i], edges.large[i]
        if not groups.same(small, large):
            continue
        kind = edges.kind(i)
        sim = edges.jaccard(i) if kind != "contained" else edges.contained(i)
        for number, other in ((small, large), (large, small)):
            if number < n_new:
                held = best_sim[number]
                if sim > held or (sim == held and ids[other] > ids[best_other[number]]):
                    best_sim[number], best_other[number] = sim, other

    new_sizes = docs.numbers["n_shingles"]

    def shingles_of(d: str) -> int:
        row = docs.row.get(d)
        return int(new_sizes[row]) if row is not None else prior.docs[d].n_shingles

    canonical_changes = kind_changes = 0
    for j in by_name:
        if alone(j):
            # a new document alone in its cluster (most of them): the rule's answer is fixed
            d = ids[root_of[j]]
            plan.assignments.append(Assignment(d, "c" + d, "unique", True, "only member"))
            continue
        root, new_ids, prior_ids = members(j)
        cluster_id = groups.name(root) if groups.is_prior(root) else "c" + min(new_ids)
        everyone = sorted(set(new_ids) | set(prior_ids))
        hashes = [int(new_hashes[docs.row[d]]) if d in docs else prior.docs[d].exact_hash for d in everyone]
        centrality = None
        if len(everyone) > 2:
            # (asked for as the centrality needs them, one per matching form: a view per member
            # was ~110 bytes each, 34 MB for a cluster of 300,000 notices' copies)
            centrality = _centrality(_Lazy(lambda i: signature(everyone[i]), len(everyone)), hashes)

        def member(i: int, centrality=centrality, everyone=everyone) -> canonical.Member:
            m = _member(everyone[i], docs, prior)
            if centrality is not None:
                m.centrality = float(centrality[i])
            return m

        # the members made as the rule asks for them: a Member each, all held for a cluster of
        # 300,000 notices' copies (with the lines and the heap after the rule: 762 -> 721 MB top)
        chosen, reason = canonical.choose(_Lazy(member, len(everyone)))
        del centrality
        repeated = {h for h, n in Counter(hashes).items() if n > 1}
        for d, ehash in zip(everyone, hashes):
            if d == chosen.doc_id:
                kind = "unique"
            elif ehash in repeated:  # an exact copy (on the matching form) of another member
                kind = "exact"
            elif shingles_of(d) < config.contained_ratio * chosen.n_shingles:
                # "a markedly shorter member" than the canonical one, new or earlier alike (a new
                # member's kind was its verifying pair's: an excerpt's near copy was `near` in its
                # own run, then `contained` when a later run touched its cluster)
                kind = "contained"
            else:
                kind = "near"
            is_canon = d == chosen.doc_id
            row = docs.row.get(d)
            if row is not None:
                o = int(best_other[row])
                other, sim = (None, None) if o < 0 else (ids[o], round(float(best_sim[row]), 4))
                plan.assignments.append(Assignment(d, cluster_id, kind, is_canon, reason if is_canon else None,
                                                   other, sim))
            else:
                p = prior.docs[d]
                if p.is_canonical != is_canon or p.dup_kind != kind:
                    plan.updates.append(Assignment(d, cluster_id, kind, is_canon, reason if is_canon else None))
                    if p.is_canonical != is_canon:
                        canonical_changes += 1
                    else:
                        kind_changes += 1
    # earlier documents that gained or lost the canonical place, and those only relabelled (an
    # earlier near copy of a document whose exact copy arrived is `exact` now)
    plan.stats["canonical_changes"], plan.stats["kind_changes"] = canonical_changes, kind_changes
