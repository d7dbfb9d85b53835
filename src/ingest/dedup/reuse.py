"""Passages (sentences) keyed by their matching form: excerpt candidates, and the sentences of text reuse."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import xxhash

from .matching import Prepared, fold_lines, folded_lines, prepare, to_simplified

MIN_PASSAGE_CHARS = 16  # matching-form characters; shorter sentences are stock phrases
# a sentence runs to 。！？；(full or half width); an ASCII '.' ends it too unless it sits in a number
# (group 1: the sentence without the whitespace before it)
# (runs of ordinary characters as one item: the regex engine matches a run in one C loop)
_SENTENCE = r"\s*((?:[^。！？!?；;.{also_ends}]+|(?<=\d)\.(?=\d))+[。！？!?；;.]*)"
_SENTENCE_END = re.compile(_SENTENCE.format(also_ends=""))
# The same over a whole text: a sentence also ends at a line break, which the next match's
# leading whitespace swallows, so every line yields the sentences it yields on its own.
_SENTENCE_END_TEXT = re.compile(_SENTENCE.format(also_ends="\n"))


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence of a document: its key and where it sits in the document text."""

    key: int  # signed 64-bit hash of the sentence's matching form
    start: int
    end: int


class Passages:
    """A document's passages as three numpy columns (key, start, end), read like a list of Passage.

    Run-level dedup looks at hundreds of thousands of passages: as columns they move between the
    staging Parquet files and the candidate search without a Python object each. The columns
    may be shared by many documents (`rows`: those read back from one staged part), each
    holding its range of rows: three array views per document were ~0.3 KB each of them.
    """

    __slots__ = ("_columns", "_lo", "_hi")

    def __init__(self, keys, starts, ends) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        self._columns = (keys, np.asarray(starts, dtype=np.int32), np.asarray(ends, dtype=np.int32))
        self._lo, self._hi = 0, len(keys)

    @classmethod
    def rows(cls, columns: tuple[np.ndarray, np.ndarray, np.ndarray], lo: int, hi: int) -> "Passages":
        """Rows lo:hi of shared columns (keys int64, starts and ends int32), without a copy."""
        out = cls.__new__(cls)
        out._columns, out._lo, out._hi = columns, lo, hi
        return out

    @property
    def keys(self) -> np.ndarray:
        return self._columns[0][self._lo:self._hi]

    @property
    def starts(self) -> np.ndarray:
        return self._columns[1][self._lo:self._hi]

    @property
    def ends(self) -> np.ndarray:
        return self._columns[2][self._lo:self._hi]

    def __len__(self) -> int:
        return self._hi - self._lo

    def __iter__(self):
        return map(Passage, self.keys.tolist(), self.starts.tolist(), self.ends.tolist())

    def __getitem__(self, i: int) -> Passage:
        return Passage(*(int(column[self._lo:self._hi][i]) for column in self._columns))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Passages):
            return (np.array_equal(self.keys, other.keys) and np.array_equal(self.starts, other.starts)
                    and np.array_equal(self.ends, other.ends))
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"Passages({list(self)!r})"


def to_int64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def passages(text: str, min_chars: int = MIN_PASSAGE_CHARS, prepared: Prepared | None = None) -> Passages:
    """Sentences of at least `min_chars` matching characters, outside chrome lines, with offsets.

    Keys are taken on the matching form (simplified, width/punctuation folded, masks removed),
    so a traditional-script or half-width repost of a sentence has the same key.
    """
    p = prepared or prepare(text)
    resized = p.simple is not p.lines and any(len(s) != len(line) for s, line in zip(p.simple, p.lines))
    if resized or min_chars < 1:
        # Where OpenCC changed a line's length, its sentences are simplified on their own; and
        # below one character even chrome lines (folded to nothing here) would have passages.
        return _passages_by_sentence(p, min_chars)
    # Sentences from one regex pass over the text, their keys from the lines folded once
    # (shared with the matching form): per line and per sentence Python was the cost.
    f = folded_lines(p)
    whole = "\n".join(p.lines)
    spans = np.array([m.span(1) for m in _SENTENCE_END_TEXT.finditer(whole)], dtype=np.int64).reshape(-1, 2)
    # offsets into `whole` are offsets into the folded join (same line lengths); chrome lines
    # fold to nothing, so their sentences fall short here like the shorter ones
    folded_from, folded_to = f.at[spans[:, 0]], f.at[spans[:, 1]]
    long = folded_to - folded_from >= min_chars
    spans, folded_from, folded_to = spans[long], folded_from[long], folded_to[long]
    ftext = f.text
    keys = np.array([xxhash.xxh3_64_intdigest(ftext[a:b].encode("utf-8"))
                     for a, b in zip(folded_from.tolist(), folded_to.tolist())], dtype=np.uint64)
    return Passages(keys.view(np.int64), spans[:, 0], spans[:, 1])


def _passages_by_sentence(p: Prepared, min_chars: int) -> Passages:
    """passages() one line and one sentence at a time, each sentence folded on its own."""
    spans: list[tuple[int, int]] = []
    sentences: list[str] = []
    offset = 0
    for line, simple, chrome in zip(p.lines, p.simple, p.flags):
        if not chrome and len(line) >= min_chars:
            same_length = len(simple) == len(line)
            for m in _SENTENCE_END.finditer(line):
                start, end = m.span(1)
                if end - start >= min_chars:  # a cheap bound: folding only shortens
                    sentences.append(simple[start:end] if same_length else to_simplified(m.group(1)))
                    spans.append((offset + start, offset + end))
        offset += len(line) + 1
    folded, _ = fold_lines(sentences)
    kept = [(to_int64(xxhash.xxh3_64_intdigest(f.encode("utf-8"))), start, end)
            for f, (start, end) in zip(folded, spans) if len(f) >= min_chars]
    if not kept:
        return Passages([], [], [])
    keys, starts, ends = zip(*kept)
    return Passages(keys, starts, ends)
