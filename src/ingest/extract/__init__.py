"""Main-text extraction: plain-text files split into paragraphs, HTML pages through trafilatura."""
from __future__ import annotations

from ..model import Extracted
from .article import extract_html

__all__ = ["extract_html", "extract_text"]


def extract_text(text: str) -> Extracted:
    """A .txt file is already the body: one paragraph per non-blank line."""
    paragraphs = [line.strip(" \t\u3000\xa0\ufeff") for line in text.splitlines()]
    return Extracted(paragraphs=[p for p in paragraphs if p], extractor="text")
