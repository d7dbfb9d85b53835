"""Arrow tables built column by column from a batch's documents, tokens, hits and rejects."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..model import Reject
from ..memory import use_system_allocator

use_system_allocator()  # every run path builds its tables here, in the main process and the workers

if TYPE_CHECKING:
    from ..pipeline import ProcessedDocument

DOCUMENT_COLUMNS = {
    "doc_id": pa.string(), "source_uri": pa.string(), "source_kind": pa.string(), "title": pa.string(),
    "text": pa.string(), "published_at": pa.timestamp("us"), "author": pa.string(), "editor": pa.string(),
    "source_name": pa.string(), "speaker": pa.string(), "organization": pa.string(), "event": pa.string(),
    "genre": pa.string(), "poster": pa.string(), "thread_id": pa.string(), "page_no": pa.int32(),
    "has_masking": pa.bool_(), "fetched_at": pa.timestamp("us"), "char_count": pa.int32(),
    "content_hash": pa.string(), "match_hash": pa.string(), "extractor": pa.string(),
    "rules_version": pa.string(), "print_edition": pa.string(), "token_count": pa.int32(),
}
TOKEN_SCHEMA = pa.schema([("doc_id", pa.string()), ("position", pa.int32()), ("token", pa.string())])
HIT_SCHEMA = pa.schema([("doc_id", pa.string()), ("rule_id", pa.string()), ("removed", pa.string()),
                        ("rules_version", pa.string())])
REJECT_SCHEMA = pa.schema([("source_uri", pa.string()), ("stage", pa.string()), ("reason", pa.string()),
                           ("content_hash", pa.string()), ("detail", pa.string()),
                           ("rejected_at", pa.timestamp("us"))])
FILE_STATE_SCHEMA = pa.schema([("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                               ("content_hash", pa.string())])


def documents_table(docs: list[ProcessedDocument]) -> pa.Table:
    columns = {name: [] for name in DOCUMENT_COLUMNS}
    for p in docs:
        d = p.document
        for name in DOCUMENT_COLUMNS:
            if name == "match_hash":
                columns[name].append(p.match_hash)
            elif name == "char_count":
                columns[name].append(d.char_count)
            elif name == "token_count":  # BM25's document length (warehouse/search.sql)
                columns[name].append(len(p.tokens))
            else:
                columns[name].append(getattr(d, name))
    return pa.table({n: pa.array(v, type=DOCUMENT_COLUMNS[n]) for n, v in columns.items()})


def tokens_table(docs: list[ProcessedDocument]) -> pa.Table:
    lengths = np.fromiter((len(p.tokens) for p in docs), dtype=np.int64, count=len(docs))
    doc_ids = pa.array([p.document.doc_id for p in docs], type=pa.string())
    repeat = np.repeat(np.arange(len(docs)), lengths)
    total = int(lengths.sum())
    # position = index within the document: a global counter minus each document's first index
    positions = (np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)).astype(np.int32)
    return pa.table({
        "doc_id": doc_ids.take(pa.array(repeat)),
        "position": pa.array(positions, type=pa.int32()),
        "token": _token_array([p.tokens for p in docs], total),
    }, schema=TOKEN_SCHEMA)


def _token_array(lists: list[list[str]], total: int) -> pa.Array:
    """All documents' tokens as one string array, from one NUL-joined string.

    pa.array on a list of fresh strings makes each one build and keep its own UTF-8 copy;
    joining and encoding once is cheaper, and the NULs in the bytes mark where tokens end.
    """
    joined = "\x00".join(map("\x00".join, filter(None, lists))).encode("utf-8")
    data = np.frombuffer(joined, dtype=np.uint8)
    ends = np.flatnonzero(data == 0)
    values = len(data) - len(ends)
    if len(ends) != max(total - 1, 0) or values >= 1 << 31:  # a NUL inside a token, or too big for int32
        return pa.chunked_array([pa.array(t, type=pa.string()) for t in lists], type=pa.string())
    offsets = np.empty(total + 1, dtype=np.int32)
    offsets[0], offsets[-1] = 0, values
    # token i starts after NUL i-1 of the join, and the i NULs before it are dropped
    offsets[1:-1] = ends - np.arange(len(ends))
    return pa.StringArray.from_buffers(total, pa.py_buffer(offsets), pa.py_buffer(joined.replace(b"\x00", b"")))


def hits_table(docs: list[ProcessedDocument]) -> pa.Table:
    rows = [(h.doc_id, h.rule_id, h.removed, p.document.rules_version) for p in docs for h in p.document.hits]
    return pa.table([pa.array(c, type=f.type) for f, c in zip(HIT_SCHEMA, zip(*rows) if rows else [[]] * 4)],
                    schema=HIT_SCHEMA)


def rejects_table(rejects: list[Reject]) -> pa.Table:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return pa.table({
        "source_uri": [r.source_uri for r in rejects], "stage": [r.stage for r in rejects],
        "reason": [r.reason for r in rejects], "content_hash": [r.content_hash for r in rejects],
        "detail": [r.detail for r in rejects], "rejected_at": [now] * len(rejects),
    }, schema=REJECT_SCHEMA)


def file_state_table(rows: list[tuple[str, int, int, str]]) -> pa.Table:
    cols = list(zip(*rows)) if rows else [[]] * 4
    return pa.table([pa.array(c, type=f.type) for f, c in zip(FILE_STATE_SCHEMA, cols)], schema=FILE_STATE_SCHEMA)
