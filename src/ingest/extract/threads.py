"""Stitch the pages of one forum thread: the starter's continuation on later pages joins page 1."""
from __future__ import annotations

from dataclasses import replace

from ingest.model import Extracted


def thread_key(page: Extracted) -> tuple[str, str, str] | None:
    """Pages with the same key belong to the same thread; None for anything that is not a thread page."""
    thread_id = page.meta.get("thread_id")
    if not thread_id:
        return None
    site = page.meta.get("site") or page.meta.get("thread_title") or ""
    return (page.meta.get("engine") or page.extractor, site, str(thread_id))


def _continues_starter(prev: Extracted, page: Extracted, starter: str | None) -> bool:
    if page.meta.get("continuation") or prev.meta.get("continues"):
        return True
    poster = page.meta.get("poster")
    return bool(starter and poster and poster == starter)


def stitch_thread(pages: list[Extracted]) -> Extracted:
    """One document from the pages of one thread, in page order.

    A later page contributes its first post only when that post continues the starter's text:
    same poster, or a `接上楼`-style opening, or a `（未完，见下楼）` ending on the page before.
    """
    if not pages:
        raise ValueError("no pages to stitch")
    ordered = sorted(pages, key=lambda p: p.meta.get("page_no") or 1)
    head = ordered[0]
    starter = head.meta.get("poster")
    paragraphs = list(head.paragraphs)
    hits = list(head.hits)
    used = [head.meta.get("page_no") or 1]
    prev = head
    for page in ordered[1:]:
        if (page.meta.get("page_no") or 1) in used or not _continues_starter(prev, page, starter):
            continue
        paragraphs += page.paragraphs
        hits += page.hits
        used.append(page.meta.get("page_no") or 1)
        prev = page
    meta = dict(head.meta)
    meta.pop("continues", None)
    meta["pages"] = used
    return replace(head, paragraphs=paragraphs, hits=hits, meta=meta)


def group_threads(pages: list[tuple[str, Extracted]]) -> list[tuple[list[str], Extracted]]:
    """Group (source, page) pairs by thread and stitch each group; other pages pass through alone.

    Returns (sources of the group, document) in the order the first page of each group arrived.
    """
    groups: dict[tuple, list[tuple[str, Extracted]]] = {}
    order: list[tuple] = []
    for i, (source, page) in enumerate(pages):
        key = thread_key(page) or ("single", str(i), source)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((source, page))
    out = []
    for key in order:
        members = groups[key]
        members.sort(key=lambda m: m[1].meta.get("page_no") or 1)
        if len(members) == 1:
            out.append(([members[0][0]], members[0][1]))
        else:
            out.append(([s for s, _ in members], stitch_thread([p for _, p in members])))
    return out
