"""Discuz! boards: recognise list, thread and archiver URLs, canonicalise them, find threads and pages."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

from lxml import html as lxml_html

from .urls import canonical_url

# Each pattern matches the part of the URL after the board's root directory.
_ARCHIVER = re.compile(r"^archiver/(?:index\.php)?\??(?P<kind>fid|tid)-(?P<id>\d+)(?:-page-(?P<dpage>\d+))?\.html(?:&page=(?P<page>\d+))?$")
_ARCHIVER_INDEX = re.compile(r"^archiver/(?:index\.php)?$")
_REWRITE_THREAD = re.compile(r"^thread-(?P<id>\d+)-(?P<page>\d+)-\d+\.html$")
_REWRITE_LIST = re.compile(r"^forum-(?P<id>\d+)-(?P<page>\d+)\.html$")
_PAGES_TOTAL = re.compile(r"(?:共\s*(\d+)\s*页|/\s*(\d+)\s*页)")


@dataclass(frozen=True, slots=True)
class BoardURL:
    """A Discuz! URL understood: which board root, list or thread, which id and page, in which URL style."""

    root: str  # scheme://host/dir/
    kind: str  # list | thread | index
    id: str  # fid for lists, tid for threads, "" for an index
    page: int = 1
    style: str = "x"  # x (forum.php) | rewrite (thread-T-P-1.html) | d7 (viewthread.php) | archiver | archiver-dash

    @property
    def key(self) -> tuple[str, str, str]:
        """Same key = same list or thread, whatever the URL style or page."""
        return (self.root, self.kind, self.id)

    def at_page(self, page: int) -> "BoardURL":
        return replace(self, page=page)

    @property
    def url(self) -> str:
        p, i, r = self.page, self.id, self.root
        if self.style.startswith("archiver"):
            if self.kind == "index":
                return f"{r}archiver/"
            tag = "fid" if self.kind == "list" else "tid"
            if self.style == "archiver-dash" and p > 1:
                return f"{r}archiver/?{tag}-{i}-page-{p}.html"
            return f"{r}archiver/?{tag}-{i}.html" + (f"&page={p}" if p > 1 else "")
        if self.style == "rewrite":
            return f"{r}thread-{i}-{p}-1.html" if self.kind == "thread" else f"{r}forum-{i}-{p}.html"
        if self.style == "d7":
            name = "viewthread.php?tid" if self.kind == "thread" else "forumdisplay.php?fid"
            return f"{r}{name}={i}" + (f"&page={p}" if p > 1 else "")
        if self.kind == "index":
            return f"{r}forum.php"
        mod = "viewthread&tid" if self.kind == "thread" else "forumdisplay&fid"
        return f"{r}forum.php?mod={mod}={i}" + (f"&page={p}" if p > 1 else "")


def _int(values: list[str] | None, default: int = 1) -> int:
    try:
        return max(int(values[0]), 1) if values else default
    except ValueError:
        return default


def parse_board_url(url: str) -> BoardURL | None:
    """The Discuz! meaning of a URL, or None; `extra=`, `highlight=`, `#lastpost` and friends are ignored."""
    try:
        parts = urlsplit(canonical_url(url))
    except ValueError:  # malformed: the fetch rejects it with the reason
        return None
    if parts.scheme not in ("http", "https"):
        return None
    path = parts.path
    origin = f"{parts.scheme}://{parts.netloc}"
    if "/archiver/" in path + "/":
        cut = path.index("/archiver") + 1
        root, rest = origin + path[:cut], path[cut:] + ("?" + parts.query if parts.query else "")
        m = _ARCHIVER.match(rest)
        if m:
            kind = "list" if m["kind"] == "fid" else "thread"
            style = "archiver-dash" if m["dpage"] else "archiver"
            return BoardURL(root, kind, m["id"], int(m["dpage"] or m["page"] or 1), style)
        if _ARCHIVER_INDEX.match(rest.rstrip("?")):
            return BoardURL(root, "index", "", 1, "archiver")
        return None
    directory, _, name = path.rpartition("/")
    root = origin + directory + "/"
    q = parse_qs(parts.query)
    if name == "forum.php" or name == "":
        mod = (q.get("mod") or [""])[0]
        if name == "forum.php" and mod in ("viewthread", "redirect") and q.get("tid"):
            page = _int(q.get("page")) if mod == "viewthread" else 1
            return BoardURL(root, "thread", q["tid"][0], page, "x")
        if name == "forum.php" and mod == "forumdisplay" and q.get("fid"):
            return BoardURL(root, "list", q["fid"][0], _int(q.get("page")), "x")
        if name == "forum.php" and not mod:
            return BoardURL(root, "index", "", 1, "x")
        return None
    if name in ("viewthread.php", "redirect.php") and q.get("tid"):
        return BoardURL(root, "thread", q["tid"][0], _int(q.get("page")) if name == "viewthread.php" else 1, "d7")
    if name == "forumdisplay.php" and q.get("fid"):
        return BoardURL(root, "list", q["fid"][0], _int(q.get("page")), "d7")
    m = _REWRITE_THREAD.match(name)
    if m:
        return BoardURL(root, "thread", m["id"], int(m["page"]), "rewrite")
    m = _REWRITE_LIST.match(name)
    if m:
        return BoardURL(root, "list", m["id"], int(m["page"]), "rewrite")
    return None


# Discuz! X forumdisplay rows; when a list page has them, thread links elsewhere (sidebars,
# "hot threads" of other boards) are not this board's threads.
_THREAD_ROWS = "//tbody[starts-with(@id, 'normalthread_') or starts-with(@id, 'stickthread_')]//a"


def page_links(html_text: str, base_url: str, rows_only: bool = False) -> list[str]:
    """Absolute canonical URLs of every <a href> on a page (or in its thread rows), in order, no repeats."""
    try:
        doc = lxml_html.fromstring(html_text)
    except Exception:  # an empty or broken page has no links
        return []
    anchors = doc.xpath(_THREAD_ROWS) if rows_only else []
    out, seen = [], set()
    for el in anchors or doc.iter("a"):
        href = (el.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        try:
            url = canonical_url(href, base=base_url)
        except ValueError:
            continue
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


@dataclass(slots=True)
class ListPage:
    """What one board list page links to: threads (page 1 of each), more list pages, sub-boards."""

    threads: list[BoardURL]
    lists: list[BoardURL]


def read_list_page(html_text: str, page: BoardURL, base_url: str | None = None) -> ListPage:
    """Threads and list pages on the same board root; an index page also yields its boards.

    `base_url` is where the page really came from (after redirects), for its relative links.
    """
    threads, lists, seen = [], [], set()
    base = base_url or page.url
    in_rows = page_links(html_text, base, rows_only=page.kind == "list") if page.kind == "list" else []
    for url in page_links(html_text, base):
        found = parse_board_url(url)
        if found is None or found.root != page.root or found.key in seen:
            continue
        if found.kind == "thread":
            if in_rows and url not in in_rows and found.at_page(1).url not in in_rows:
                continue
            seen.add(found.key)
            threads.append(found.at_page(1))
        elif found.kind == "list" and (page.kind == "index" or found.id == page.id):
            lists.append(found)
    # Paging links of the same board differ only by page; keep one per page.
    unique = {(b.key, b.page): b for b in lists if (b.key, b.page) != (page.key, page.page)}
    return ListPage(threads, list(unique.values()))


def thread_page_count(html_text: str, page: BoardURL) -> int:
    """How many pages the thread has: the highest page linked for this thread, or the `共 N 页` it states."""
    highest = page.page
    for url in page_links(html_text, page.url):
        found = parse_board_url(url)
        if found is not None and found.kind == "thread" and found.key == page.key:
            highest = max(highest, found.page)
    for m in _PAGES_TOTAL.finditer(html_text):
        highest = max(highest, int(m.group(1) or m.group(2)))
    return highest
