"""Numpy building blocks of the candidate search: runs of equal keys, the pairs within them,
postings of documents by key, signature agreement (documents are numbers, pairs are codes a * n + b)."""
from __future__ import annotations

import numpy as np

from .records import Postings


class SignatureRows:
    """The signatures of a run's documents by number, read like one matrix (`sigs[rows]`): the
    new documents' rows, then the earlier documents' from a matrix of their own, so that neither
    is copied into the other.

    With `new_rows` (a row of `new` per new document) new documents share rows: exact copies
    of a text have its signature, and a notice reposted thousands of times is one row.
    """

    def __init__(self, new: np.ndarray, prior: np.ndarray, new_rows: np.ndarray | None = None) -> None:
        self.new, self.prior, self.new_rows = new, prior, new_rows
        self.n_new = len(new) if new_rows is None else len(new_rows)
        self.shape = (self.n_new + len(prior), new.shape[1])

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        n_new = self.n_new
        old = rows >= n_new
        if not old.any():
            return self.new[rows if self.new_rows is None else self.new_rows[rows]]
        out = np.empty((len(rows), self.shape[1]), dtype=self.new.dtype)
        at = rows[~old]
        out[~old] = self.new[at if self.new_rows is None else self.new_rows[at]]
        out[old] = self.prior[rows[old] - n_new]
        return out


def agreement(sigs: np.ndarray | SignatureRows, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    agree = np.empty(len(a), dtype=np.int64)
    for lo in range(0, len(a), 1 << 11):  # 2 Ki pairs x 128 values: the scratch stays in cache
        hi = lo + (1 << 11)
        agree[lo:hi] = np.count_nonzero(sigs[a[lo:hi]] == sigs[b[lo:hi]], axis=1)
    return agree


def mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def numbered(prior: Postings, number: dict[str, int], proposing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prior postings as (key, document number), without those of documents that have no
    number or do not propose (`proposing`: a mask by document number)."""
    nums = np.fromiter((number.get(d, -1) for d in prior.doc_ids), dtype=np.int64, count=len(prior))
    known = nums >= 0
    known[known] = proposing[nums[known]]
    return prior.keys[known], nums[known]


def postings(new_keys: np.ndarray, new_nums: np.ndarray, prior_keys: np.ndarray, prior_nums: np.ndarray,
              n_new: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(key, document number) rows of the new documents and the prior postings, sorted by key
    then number; a new document's repeated key (numbers below n_new) is kept once, as the
    warehouse keeps one posting per sentence occurrence of earlier ones."""
    keys_a = np.concatenate([new_keys, prior_keys])
    nums_a = np.concatenate([new_nums, prior_nums])
    order = np.lexsort((nums_a, keys_a))
    keys_a, nums_a = keys_a[order], nums_a[order]
    if n_new and len(keys_a):
        repeat = np.concatenate(([False], (keys_a[1:] == keys_a[:-1]) & (nums_a[1:] == nums_a[:-1])))
        keep = ~(repeat & (nums_a < n_new))
        keys_a, nums_a = keys_a[keep], nums_a[keep]
    return keys_a, nums_a


def counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (sorted) and how often each occurs: np.unique by sorting, which is several
    times faster than np.unique's hash table on these arrays of int64 codes."""
    values = np.sort(values)
    starts, counts = groups(values)
    return values[starts], counts


def groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in a sorted array."""
    if not len(keys):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return starts, np.diff(np.append(starts, len(keys)))


def pairs_in_groups(keys: np.ndarray, holders: np.ndarray, distinct: bool = False):
    """All pairs (a < b) of documents holding the same key; rows sorted by (key, holder). With
    `distinct`, each pair comes once per key it shares; without, once. Returns (a, b)."""
    if len(keys):  # a holder listed twice under one key (a repeated sentence) pairs once
        first = np.concatenate(([True], (keys[1:] != keys[:-1]) | (holders[1:] != holders[:-1])))
        keys, holders = keys[first], holders[first]
    starts, counts = groups(keys)
    # row r pairs with the rows after it in its group: `later[r]` of them
    group_end = np.repeat(starts + counts, counts)
    later = group_end - np.arange(len(keys)) - 1
    total = int(later.sum())
    if total == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    row_a = np.repeat(np.arange(len(keys)), later)
    block_start = np.repeat(np.cumsum(later) - later, later)
    row_b = row_a + 1 + (np.arange(total) - block_start)
    a, b = holders[row_a], holders[row_b]  # a < b: holders sorted in a group
    if distinct:
        return a, b
    width = int(holders.max()) + 1
    codes = counted(a * width + b)[0]
    return codes // width, codes % width
