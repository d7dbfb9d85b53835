"""Fetched units to documents: one page, or every page of a forum thread stitched into one. Pure."""
from __future__ import annotations

from dataclasses import replace

from .model import Extracted, RawInput, Reject
from .pipeline import ProcessedDocument, build_document, content_hash, extract_one, process_one


def stitch_pages(pages: list[Extracted]) -> Extracted:
    """The thread's pages as one text: the forum-aware stitcher when present, else pages in order."""
    try:
        from .extract.threads import stitch_thread
    except ImportError:
        stitch_thread = None
    if stitch_thread is not None:
        return stitch_thread(pages)
    head = pages[0]
    paragraphs = [p for page in pages for p in page.paragraphs]
    return replace(head, paragraphs=paragraphs, hits=[h for page in pages for h in page.hits],
                   meta={**head.meta, "pages": list(range(1, len(pages) + 1))})


def process_unit(raws: list[RawInput], segmenter_name: str = "rjieba") -> ProcessedDocument | Reject:
    """One document from a unit's pages; the first page's URI names it, all pages' bytes identify it."""
    if len(raws) == 1:
        return process_one(raws[0], segmenter_name)
    pages = []
    for no, raw in enumerate(raws, 1):
        out = extract_one(raw)
        if isinstance(out, Reject):
            return Reject(raws[0].source_uri, out.stage, f"thread page {no}: {out.reason}", out.content_hash)
        out.meta.setdefault("page_no", no)
        pages.append(out)
    unit_hash = content_hash(b"\0".join(r.data for r in raws))
    return build_document(raws[0], stitch_pages(pages), segmenter_name, unit_hash)
