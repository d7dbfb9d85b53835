"""Article pages (news, gov, WeChat copies) through trafilatura."""
from __future__ import annotations

import trafilatura
from trafilatura.settings import use_config

from ..model import Extracted

_CONFIG = use_config()
# Speeches are long; trafilatura's defaults drop short pages and cap nothing we need.
_CONFIG.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")


def extract_html(html: str, *, url: str | None = None) -> Extracted:
    """Main text and title of an HTML page; no hidden cross-document state (deduplicate=False)."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        config=_CONFIG,
        with_metadata=True,
    )
    if doc is None:
        return Extracted(paragraphs=[], extractor="trafilatura")
    text = doc.text or ""
    meta = {}
    if doc.date:
        meta["published_at_text"] = doc.date
    if doc.author:
        meta["author"] = doc.author
    if doc.sitename:
        meta["source_name"] = doc.sitename
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    return Extracted(paragraphs=paragraphs, title=(doc.title or None), extractor="trafilatura", meta=meta)
