"""Domain records that flow through the pipeline: raw inputs, documents, hits and rejects."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class RawInput:
    """Bytes exactly as read or fetched, with the facts needed to decode and trace them."""

    source_uri: str
    source_kind: str  # file | web | feed | sitemap | forum
    data: bytes
    fetched_at: datetime
    content_type: str | None = None  # HTTP Content-Type, or None for local files
    suffix: str = ""  # ".txt", ".html" ... (lower case) for local files


@dataclass(slots=True)
class Extracted:
    """What an extractor found in one decoded input, before the cleaning rules run."""

    paragraphs: list[str]
    title: str | None = None
    extractor: str = "text"
    # Facts the page states outright (forum poster, post time, thread id/title, page number, site).
    meta: dict = field(default_factory=dict)
    hits: list["BoilerplateHit"] = field(default_factory=list)


@dataclass(slots=True)
class BoilerplateHit:
    """One removal made by one rule: which rule took which text."""

    rule_id: str
    removed: str
    doc_id: str = ""


@dataclass(slots=True)
class Reject:
    """An input that could not be ingested, and why."""

    source_uri: str
    stage: str  # read | decode | extract | clean | fetch ...
    reason: str
    content_hash: str = ""
    detail: str = ""


@dataclass(slots=True)
class Document:
    """One ingested document: the clean body plus its metadata."""

    doc_id: str
    source_uri: str
    source_kind: str
    text: str
    content_hash: str  # hash of the raw bytes; with source_uri it makes doc_id
    fetched_at: datetime
    title: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    editor: str | None = None
    source_name: str | None = None
    print_edition: str | None = None  # `《某某日报》2024-05-20 第5版`: the print edition the text cites
    speaker: str | None = None
    organization: str | None = None
    event: str | None = None
    genre: str | None = None
    poster: str | None = None
    thread_id: str | None = None
    page_no: int | None = None
    has_masking: bool = False
    extractor: str = "text"
    rules_version: str = ""
    hits: list[BoilerplateHit] = field(default_factory=list)

    @property
    def char_count(self) -> int:
        return len(self.text)
