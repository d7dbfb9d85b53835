"""Passages (sentences) keyed by their matching form: text reuse between clusters and excerpt candidates."""
from __future__ import annotations

import re
from dataclasses import dataclass

import xxhash

from .matching import Prepared, fold_line, prepare, to_simplified

MIN_PASSAGE_CHARS = 16  # matching-form characters; shorter sentences are stock phrases
# a sentence runs to 。！？；(full or half width); an ASCII '.' ends it too unless it sits in a number
_SENTENCE_END = re.compile(r"(?:[^。！？!?；;.]|(?<=\d)\.(?=\d))+[。！？!?；;.]*")


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence of a document: its key and where it sits in the document text."""

    key: int  # signed 64-bit hash of the sentence's matching form
    start: int
    end: int


def to_int64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def passages(text: str, min_chars: int = MIN_PASSAGE_CHARS, prepared: Prepared | None = None) -> list[Passage]:
    """Sentences of at least `min_chars` matching characters, outside chrome lines, with offsets.

    Keys are taken on the matching form (simplified, width/punctuation folded, masks removed),
    so a traditional-script or half-width repost of a sentence has the same key.
    """
    p = prepared or prepare(text)
    out: list[Passage] = []
    offset = 0
    for line, simple, chrome in zip(p.lines, p.simple, p.flags):
        if not chrome and len(line) >= min_chars:
            same_length = len(simple) == len(line)
            for m in _SENTENCE_END.finditer(line):
                if m.end() - m.start() < min_chars:
                    continue
                sentence = simple[m.start() : m.end()] if same_length else to_simplified(m.group())
                folded, _ = fold_line(sentence)
                if len(folded) >= min_chars:
                    key = to_int64(xxhash.xxh3_64_intdigest(folded.encode("utf-8")))
                    start = offset + m.start() + (len(m.group()) - len(m.group().lstrip()))
                    out.append(Passage(key, start, offset + m.end()))
        offset += len(line) + 1
    return out
