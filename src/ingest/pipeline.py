"""Per-document steps chained: decode, extract, clean, segment, fingerprint. Pure: no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field

import xxhash

from . import dedup
from .clean import RULES_VERSION, clean
from .clean.page_rules import apply_page_rules
from .encoding import DecodeError, decode_bytes
from .extract import extract_html, extract_text
from .extract.threads import group_threads
from .model import Document, Extracted, RawInput, Reject
from .segment import get_segmenter

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


@dataclass(slots=True)
class ProcessedDocument:
    document: Document
    tokens: list[str]
    match_hash: str = ""  # hex of the exact hash of the dedup matching form
    fingerprint: dedup.Fingerprint | None = None
    # Later pages of a stitched forum thread: (source_uri, content_hash), recorded as ingested too.
    merged_sources: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    documents: list[ProcessedDocument] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(data)


def make_doc_id(source_uri: str, raw_hash: str) -> str:
    """Stable id from where a document came from and what its bytes were."""
    return xxhash.xxh3_128_hexdigest(f"{source_uri}\n{raw_hash}".encode("utf-8"))[:20]


def is_html(raw: RawInput, text_head: str | None = None) -> bool:
    if raw.suffix in HTML_SUFFIXES:
        return True
    if raw.content_type:
        return "html" in raw.content_type.lower()
    head = (text_head or raw.data[:512].decode("latin-1")).lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))


def extract_one(raw: RawInput) -> Extracted | Reject:
    """Decode and extract one input; HTML pages also get the page rule pack (thread flags need it)."""
    raw_hash = content_hash(raw.data)
    html = is_html(raw)
    try:
        text, _charset = decode_bytes(raw.data, content_type=raw.content_type, is_html=html)
    except DecodeError as exc:
        return Reject(raw.source_uri, "decode", str(exc), raw_hash)
    try:
        if not html:
            return extract_text(text)
        extracted = extract_html(text, url=raw.source_uri if raw.source_kind != "file" else None)
        return apply_page_rules(extracted)
    except Exception as exc:  # a broken page must not stop the run
        return Reject(raw.source_uri, "extract", f"extraction failed: {type(exc).__name__}: {exc}", raw_hash)


def build_document(raw: RawInput, extracted: Extracted, segmenter_name: str = "rjieba",
                   raw_hash: str | None = None) -> ProcessedDocument | Reject:
    """Clean an extracted input and make the document row, its tokens and its dedup fingerprint."""
    raw_hash = raw_hash or content_hash(raw.data)
    cleaned = clean(extracted)
    if not cleaned.text.strip():
        return Reject(raw.source_uri, "extract", "no body text found", raw_hash)
    doc_id = make_doc_id(raw.source_uri, raw_hash)
    meta = cleaned.meta
    for hit in cleaned.hits:
        hit.doc_id = doc_id
    document = Document(
        doc_id=doc_id,
        source_uri=raw.source_uri,
        source_kind=raw.source_kind,
        text=cleaned.text,
        content_hash=raw_hash,
        fetched_at=raw.fetched_at,
        title=cleaned.title,
        published_at=meta.get("published_at"),
        author=meta.get("author"),
        editor=meta.get("editor"),
        source_name=meta.get("source_name"),
        print_edition=meta.get("print_edition"),
        speaker=cleaned.facts.speaker,
        organization=cleaned.facts.organization,
        event=cleaned.facts.event,
        genre=cleaned.facts.genre,
        poster=meta.get("poster"),
        thread_id=meta.get("thread_id"),
        page_no=meta.get("page_no"),
        has_masking=cleaned.has_masking,
        extractor=extracted.extractor,
        rules_version=RULES_VERSION,
        hits=cleaned.hits,
    )
    tokens = get_segmenter(segmenter_name).cut(cleaned.text)
    return ProcessedDocument(document, tokens)


def process_one(raw: RawInput, segmenter_name: str = "rjieba") -> ProcessedDocument | Reject:
    """One raw input to a clean, segmented document, or a reject with the stage and reason."""
    extracted = extract_one(raw)
    if isinstance(extracted, Reject):
        return extracted
    return build_document(raw, extracted, segmenter_name)


def process_batch(raws: list[RawInput], segmenter_name: str = "rjieba") -> BatchResult:
    """Process a batch; the pages of one forum thread in it become one stitched document."""
    result = BatchResult()
    pages: list[tuple[int, Extracted]] = []
    for i, raw in enumerate(raws):
        out = extract_one(raw)
        if isinstance(out, Reject):
            result.rejects.append(out)
        else:
            pages.append((i, out))
    for members, extracted in group_threads(pages):
        first = raws[members[0]]
        raw_hash = content_hash(first.data) if len(members) == 1 else \
            content_hash(b"\0".join(raws[i].data for i in members))
        out = build_document(first, extracted, segmenter_name, raw_hash)
        if isinstance(out, Reject):
            result.rejects.append(out)
            continue
        out.merged_sources = [(raws[i].source_uri, content_hash(raws[i].data)) for i in members[1:]]
        result.documents.append(out)
    # MinHash runs over the whole batch at once (vectorised across documents).
    for p, fp in zip(result.documents, dedup.fingerprint_batch([p.document.text for p in result.documents])):
        p.fingerprint = fp
        p.match_hash = f"{fp.exact_hash & (2**64 - 1):016x}"
    return result
