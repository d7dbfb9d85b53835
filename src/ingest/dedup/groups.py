"""The verification's bookkeeping: a union-find of the run's documents over the earlier clusters,
and the pairs it verified (exact, near, contained), both held as numbers in arrays."""
from __future__ import annotations

import heapq
from array import array
from typing import Iterator

import numpy as np

from .containment import Overlap
from .records import PriorIndex


class DocumentGroups:
    """Union-find over the run's documents by number (`ids`: the new documents, then the earlier
    ones); each earlier cluster is one node (its members' numbers map to it) and earlier
    clusters never merge.

    Nodes are numbers in arrays: a new document's own node is its number, an earlier cluster's
    is n_new + its index. As a dict entry, a list and a tuple per document (nodes named by
    doc_id) the groups were ~0.3 KB a document, and were built twice in a run.
    """

    TOP = 3  # largest members kept per group: the containment check looks at three

    def __init__(self, ids: list[str], n_new: int, sizes: list[int], prior: PriorIndex) -> None:
        self.ids, self.n_new, self.sizes = ids, n_new, sizes
        self.clusters: list[str] = []  # node n_new + k is earlier cluster clusters[k]
        node_of: dict[str, int] = {}  # earlier cluster id -> its node
        members: dict[int, list[tuple[int, str]]] = {}
        self.node = array("q", range(n_new))  # document number -> its node
        for d in ids[n_new:]:
            p = prior.docs[d]
            k = node_of.get(p.cluster_id)
            if k is None:
                k = node_of[p.cluster_id] = n_new + len(self.clusters)
                self.clusters.append(p.cluster_id)
                members[k] = []
            members[k].append((p.n_shingles, d))
            self.node.append(k)
        self.parent = array("q", range(n_new + len(self.clusters)))
        # (size, doc_id) of the TOP largest members, largest first, of every root of two or more
        # documents and every earlier cluster. Whole member lists, concatenated at each union
        # and sorted for each containment checked, grew with the square of a cluster's size:
        # 2 of the 19 s of the decision at 20 MB of notices (clusters of thousands of copies).
        self.top: dict[int, list[tuple[int, str]]] = {k: heapq.nlargest(self.TOP, m) for k, m in members.items()}

    def is_prior(self, node: int) -> bool:
        return node >= self.n_new

    def name(self, node: int) -> str:
        """An earlier cluster's id, or the doc_id of a new document's node."""
        return self.clusters[node - self.n_new] if node >= self.n_new else self.ids[node]

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def same(self, a: int, b: int) -> bool:
        """Whether documents a and b (numbers) are in one group."""
        return self.find(self.node[a]) == self.find(self.node[b])

    def _top(self, root: int) -> list[tuple[int, str]]:
        return self.top.pop(root, None) or [(self.sizes[root], self.ids[root])]

    def largest(self, doc: int) -> list[str]:
        """The doc_ids of the TOP largest members of document `doc`'s group, largest first."""
        root = self.find(self.node[doc])
        return [d for _, d in self.top.get(root) or [(self.sizes[root], self.ids[root])]]

    def union(self, a: int, b: int) -> bool | None:
        """Join the groups of documents a and b (numbers); False when both are earlier clusters
        (ids never change), None if joined already."""
        ra, rb = self.find(self.node[a]), self.find(self.node[b])
        if ra == rb:
            return None
        if ra >= self.n_new and rb >= self.n_new:
            return False
        if rb >= self.n_new:
            ra, rb = rb, ra
        self.parent[rb] = ra
        # (of at most six: sorting them is ~4x quicker than heapq.nlargest)
        self.top[ra] = sorted(self._top(ra) + self._top(rb), reverse=True)[:self.TOP]
        return True

    def roots(self) -> np.ndarray:
        """The group (its root node) of every new document, by number."""
        return np.fromiter((self.find(i) for i in range(self.n_new)), dtype=np.int64, count=self.n_new)


class VerifiedPairs:
    """The verified pairs (kind, Overlap) as columns, 49 bytes a pair: an Overlap, its four
    floats and a tuple take ~250 (280,000 pairs at 60 MB of notices: ~70 MB). Documents are
    numbers into `ids`; `overlap(i)` rebuilds a pair's Overlap when it is needed."""

    KINDS = ("exact", "near", "contained")

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.kinds = bytearray()
        self.small, self.large = array("q"), array("q")
        self.values = array("d")  # jaccard, contained, coverage, size_ratio of each pair

    def add(self, kind: str, ov: Overlap, small: int, large: int) -> None:
        self.kinds.append(self.KINDS.index(kind))
        self.small.append(small)
        self.large.append(large)
        self.values.extend((ov.jaccard, ov.contained, ov.coverage, ov.size_ratio))

    def __len__(self) -> int:
        return len(self.kinds)

    def count(self, kind: str) -> int:
        return self.kinds.count(self.KINDS.index(kind))

    def kind(self, i: int) -> str:
        return self.KINDS[self.kinds[i]]

    def overlap(self, i: int) -> Overlap:
        return Overlap(self.ids[self.small[i]], self.ids[self.large[i]], *self.values[4 * i:4 * i + 4])

    def jaccard(self, i: int) -> float:
        return self.values[4 * i]

    def contained(self, i: int) -> float:
        return self.values[4 * i + 1]

    def jaccards(self) -> np.ndarray:
        return np.frombuffer(self.values, dtype=np.float64)[0::4]

    def __iter__(self) -> Iterator[tuple[str, Overlap]]:
        for i in range(len(self)):
            yield self.kind(i), self.overlap(i)
