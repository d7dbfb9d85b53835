"""RSS, Atom and sitemap documents: what kind a fetched XML is, and the links and dates it lists."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


@dataclass(frozen=True, slots=True)
class Listed:
    """One link a feed or sitemap lists, with its last-modified date when it states one."""

    url: str
    updated: datetime | None = None
    title: str | None = None


class FeedError(ValueError):
    pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def parse_xml(data: bytes) -> ET.Element:
    # No DTDs at all: entity expansion is the classic XML bomb, and feeds never need one.
    if _DOCTYPE.search(data[:4096]):
        raise FeedError("XML with a DOCTYPE or entity declarations refused")
    try:
        return ET.fromstring(data.lstrip())
    except ET.ParseError as exc:
        raise FeedError(f"malformed XML: {exc}") from None


def xml_kind(data: bytes) -> str | None:
    """'feed' (RSS/Atom), 'sitemap' (urlset), 'sitemapindex', or None when the bytes are none of those."""
    head = data[:2048].lstrip().lower()
    if not (head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")
            or head.startswith(b"<urlset") or head.startswith(b"<sitemapindex") or head.startswith(b"<rdf")):
        return None
    try:
        root = parse_xml(data)
    except FeedError:
        return None
    return {"rss": "feed", "feed": "feed", "rdf": "feed", "urlset": "sitemap",
            "sitemapindex": "sitemapindex"}.get(_local(root.tag))


def parse_date(text: str | None) -> datetime | None:
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


def _child_text(el: ET.Element, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def feed_entries(data: bytes) -> list[Listed]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed, in feed order."""
    root = parse_xml(data)
    out = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            link = _child_text(el, "link") or _child_text(el, "guid")
            date = _child_text(el, "pubdate") or _child_text(el, "date") or _child_text(el, "updated")
            if link:
                out.append(Listed(link, parse_date(date), _child_text(el, "title")))
        elif name == "entry":
            link = None
            for child in el:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
                    link = child.get("href")
                    break
            date = _child_text(el, "updated") or _child_text(el, "published")
            if link:
                out.append(Listed(link, parse_date(date), _child_text(el, "title")))
    return out


def sitemap_entries(data: bytes) -> list[Listed]:
    """<loc> of every <url> (sitemap) or <sitemap> (sitemap index), with <lastmod>."""
    root = parse_xml(data)
    out = []
    for el in root:
        if _local(el.tag) in ("url", "sitemap"):
            loc = _child_text(el, "loc")
            if loc:
                out.append(Listed(loc, parse_date(_child_text(el, "lastmod"))))
    return out
