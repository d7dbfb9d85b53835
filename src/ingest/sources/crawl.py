"""Discovery with limits: sources to the pages that are new or changed since the last run."""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable
from urllib.parse import urlsplit

import xxhash

from ..encoding import DecodeError, decode_bytes
from ..model import Reject
from . import discuz, feeds
from .config import SourceSpec
from .urls import canonical_url
from .web import Fetcher, Response

_DISCUZ_MARK = re.compile(r"Discuz!|forum\.php\?mod=|archiver/\?(?:tid|fid)-", re.I)


def body_hash(data: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(data)


@dataclass(slots=True)
class KnownPage:
    """What the warehouse remembers of a URL from earlier runs (a `fetch_state` row)."""

    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    status: int
    fetched_at: datetime | None
    unit_uri: str | None = None


@dataclass(slots=True)
class Unit:
    """One document to be: an article page, or every page of one forum thread in page order."""

    source_uri: str
    source_kind: str  # web | feed | sitemap | forum
    pages: list[Response]
    status: str  # new | changed


@dataclass(slots=True)
class Record:
    """A response as the raw layer keeps it, with the unit it belongs to."""

    response: Response
    role: str  # listing | page
    source_kind: str
    unit_uri: str | None = None
    page_no: int | None = None


@dataclass
class CrawlResult:
    units: list[Unit] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    state: dict[str, KnownPage] = field(default_factory=dict)  # rows to upsert into fetch_state
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("seen", "new", "changed", "unchanged", "rejected", "not_modified", "skipped_known", "over_limit"), 0))


class _Budget:
    def __init__(self, n: int) -> None:
        self.left = n

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class Crawler:
    """Walks sources through a Fetcher, asking only for what the known state says may have changed."""

    def __init__(self, fetcher: Fetcher, known: dict[str, KnownPage],
                 stored_body: Callable[[str], bytes | None] = lambda h: None) -> None:
        self.fetcher = fetcher
        self.known = known
        self.stored_body = stored_body
        self.result = CrawlResult()
        self._units_seen: set[str] = set()
        self._threads_seen: set[tuple] = set()

    # -- entry point -----------------------------------------------------------------------------
    def crawl(self, specs: list[SourceSpec]) -> CrawlResult:
        for spec in specs:
            if spec.delay is not None:
                self.fetcher.policy.delay_s = spec.delay
            self._crawl_source(spec)
        return self.result

    def _crawl_source(self, spec: SourceSpec) -> None:
        budget = _Budget(spec.max_pages)
        board = discuz.parse_board_url(spec.url)
        if board is not None and spec.kind in ("auto", "forum"):
            if board.kind == "thread":
                self._thread(spec, board, budget)
            else:
                self._board(spec, [(board, 0)], budget)
            return
        resp = self._fetch(spec.url, budget, "listing", "web", conditional=True, record=False)
        if resp is None:
            return
        body = self._body(resp)
        if body is None:  # failed, and already rejected with its reason
            self._record(resp, "page", "web", unit_uri=spec.url, page_no=1)
            self.result.counts["seen"] += 1
            return
        kind = feeds.xml_kind(body) if spec.kind != "article" else None
        if kind in ("feed", "sitemap", "sitemapindex"):
            self._record(resp, "listing", "feed" if kind == "feed" else "sitemap")
            self._remember(resp)
            self._listing(spec, spec.url, kind, body, 0, budget)
            return
        if spec.kind == "forum" or (spec.kind == "auto" and _looks_like_index(resp.final_url)):
            root = self._board_root(resp, body)
            if root is not None:
                self._record(resp, "listing", "forum")
                self._remember(resp)
                self._board(spec, [(root, 0)], budget, first_body=(root, body))
                return
        self._record(resp, "page", "web", unit_uri=spec.url, page_no=1)
        self._item_response(spec.url, "web", resp)

    # -- fetching ----------------------------------------------------------------------------------
    def _fetch(self, url: str, budget: _Budget, role: str, kind: str, *, conditional: bool,
               record: bool = True, unit_uri: str | None = None, page_no: int | None = None) -> Response | None:
        if not budget.take():
            self.result.counts["over_limit"] += 1
            return None
        known = self.known.get(url) if conditional else None
        resp = self.fetcher.get(url, etag=known.etag if known else None,
                                last_modified=known.last_modified if known else None)
        if resp.not_modified:
            self.result.counts["not_modified"] += 1
        if record:
            self._record(resp, role, kind, unit_uri, page_no)
        return resp

    def _record(self, resp: Response, role: str, kind: str, unit_uri: str | None = None,
                page_no: int | None = None) -> None:
        self.result.records.append(Record(resp, role, kind, unit_uri, page_no))

    def _body(self, resp: Response) -> bytes | None:
        """The page's bytes: fresh ones, or on 304 the ones kept in the raw layer last time."""
        if resp.ok:
            return resp.body
        if resp.not_modified:
            known = self.known.get(resp.url)
            stored = self.stored_body(known.content_hash) if known and known.content_hash else None
            if stored is not None:
                return stored
            again = self.fetcher.get(resp.url)  # validators without kept bytes: ask once more in full
            if again.ok:
                resp.status, resp.headers, resp.body = again.status, again.headers, again.body
                return again.body
            resp.error = again.error
        self._reject(resp.url, resp.error or f"HTTP {resp.status}")
        return None

    def _remember(self, resp: Response, unit_uri: str | None = None) -> None:
        old = self.known.get(resp.url)
        if resp.not_modified and old is not None:
            row = KnownPage(resp.url, resp.headers.get("etag") or old.etag,
                            resp.headers.get("last-modified") or old.last_modified, old.content_hash, 200,
                            resp.fetched_at, unit_uri or old.unit_uri)
        else:
            row = KnownPage(resp.url, resp.headers.get("etag"), resp.headers.get("last-modified"),
                            body_hash(resp.body), resp.status, resp.fetched_at, unit_uri)
        self.result.state[resp.url] = row

    def _reject(self, url: str, reason: str) -> None:
        self.result.rejects.append(Reject(url, "fetch", reason))
        self.result.counts["rejected"] += 1

    # -- articles from feeds, sitemaps and the command line ---------------------------------------------
    def _listing(self, spec: SourceSpec, url: str, kind: str, body: bytes, depth: int, budget: _Budget) -> None:
        try:
            entries = feeds.feed_entries(body) if kind == "feed" else feeds.sitemap_entries(body)
        except feeds.FeedError as exc:
            self._reject(url, str(exc))
            return
        item_kind = "feed" if kind == "feed" else "sitemap"
        for entry in entries:
            link = canonical_url(entry.url, base=url)
            if kind == "sitemapindex":
                if depth + 1 > spec.max_depth:
                    continue
                resp = self._fetch(link, budget, "listing", "sitemap", conditional=True)
                child = self._body(resp) if resp is not None else None
                if child is not None:
                    self._remember(resp)
                    self._listing(spec, link, feeds.xml_kind(child) or "sitemap", child, depth + 1, budget)
                continue
            if not spec.wants(link):
                continue
            board = discuz.parse_board_url(link)
            if board is not None and board.kind == "thread":
                self._thread(spec, board, budget, source_kind=item_kind, listed_at=entry.updated)
                continue
            self._item(spec, link, item_kind, budget, entry.updated)

    def _item(self, spec: SourceSpec, url: str, kind: str, budget: _Budget, listed_at: datetime | None) -> None:
        if url in self._units_seen:
            return
        self._units_seen.add(url)
        self.result.counts["seen"] += 1
        if self._skip_known(spec, url, listed_at):
            return
        resp = self._fetch(url, budget, "page", kind, conditional=True, unit_uri=url, page_no=1)
        if resp is None:
            self.result.counts["seen"] -= 1
            self._units_seen.discard(url)
            return
        self._item_response(url, kind, resp, counted=True)

    def _item_response(self, url: str, kind: str, resp: Response, counted: bool = False) -> None:
        if not counted:
            self._units_seen.add(url)
            self.result.counts["seen"] += 1
        known = self.known.get(url)
        if resp.not_modified or (resp.ok and known and known.content_hash == body_hash(resp.body)):
            self.result.counts["unchanged"] += 1
            self._remember(resp, url)
            return
        if not resp.ok:
            self._reject(url, resp.error or f"HTTP {resp.status}")
            return
        status = "changed" if known and known.status == 200 else "new"
        self.result.counts[status] += 1
        self._remember(resp, url)
        self.result.units.append(Unit(url, kind, [resp], status))

    def _skip_known(self, spec: SourceSpec, url: str, listed_at: datetime | None) -> bool:
        """A known item is not asked for again unless revisits are on or its listing says it changed."""
        known = self.known.get(url)
        if known is None or known.status != 200 or spec.revisit:
            return False
        if listed_at is not None and known.fetched_at is not None and listed_at > known.fetched_at:
            return False
        self.result.counts["unchanged"] += 1
        self.result.counts["skipped_known"] += 1
        return True

    # -- Discuz! boards ------------------------------------------------------------------------------
    def _board_root(self, resp: Response, body: bytes) -> discuz.BoardURL | None:
        """A page not recognised by its URL is a board index when it is Discuz! and links to threads."""
        text = _decode(body, resp.content_type)
        if text is None or not _DISCUZ_MARK.search(text):
            return None
        for link in discuz.page_links(text, resp.url):
            found = discuz.parse_board_url(link)
            if found is not None and found.kind in ("thread", "list"):
                return discuz.BoardURL(found.root, "index", "", 1, found.style)
        return None

    def _board(self, spec: SourceSpec, start: list[tuple[discuz.BoardURL, int]], budget: _Budget,
               first_body: tuple[discuz.BoardURL, bytes] | None = None) -> None:
        queue = deque(start)
        visited = {(b.key, b.page) for b, _ in start}
        threads: list[discuz.BoardURL] = []
        while queue:
            page, depth = queue.popleft()
            if first_body is not None and page is first_body[0]:
                body, ctype, base = first_body[1], None, None
            else:
                resp = self._fetch(page.url, budget, "listing", "forum", conditional=True)
                if resp is None:
                    break
                body = self._body(resp)
                if body is None:
                    continue
                self._remember(resp)
                ctype, base = resp.content_type, (resp.final_url if resp.ok else None)
            text = _decode(body, ctype)
            if text is None:
                self._reject(page.url, "list page: undecodable bytes")
                continue
            found = discuz.read_list_page(text, page, base)
            threads.extend(t for t in found.threads if t.key not in self._threads_seen)
            self._threads_seen.update(t.key for t in found.threads)
            for nxt in found.lists:
                if (nxt.key, nxt.page) not in visited and depth + 1 <= spec.max_depth:
                    visited.add((nxt.key, nxt.page))
                    queue.append((nxt, depth + 1))
        for thread in threads:
            if spec.wants(thread.url):
                self._thread(spec, thread, budget, seen_key=True)

    def _thread(self, spec: SourceSpec, thread: discuz.BoardURL, budget: _Budget, source_kind: str = "forum",
                listed_at: datetime | None = None, seen_key: bool = False) -> None:
        if not seen_key:
            if thread.key in self._threads_seen:
                return
            self._threads_seen.add(thread.key)
        first = thread.at_page(1)
        uri = first.url
        self.result.counts["seen"] += 1
        if self._skip_known(spec, uri, listed_at):
            return
        resp = self._fetch(uri, budget, "page", source_kind, conditional=True, unit_uri=uri, page_no=1)
        if resp is None:
            self.result.counts["seen"] -= 1
            return
        known = self.known.get(uri)
        if resp.not_modified:
            self.result.counts["unchanged"] += 1
            self._remember(resp, uri)
            return
        if not resp.ok:
            self._reject(uri, resp.error or f"HTTP {resp.status}")
            return
        pages = [resp]
        text = _decode(resp.body, resp.content_type) or ""
        last = min(discuz.thread_page_count(text, first), spec.max_thread_pages)
        no = 2
        while no <= last:
            nxt = self._fetch(first.at_page(no).url, budget, "page", source_kind, conditional=False,
                              unit_uri=uri, page_no=no)
            if nxt is None or not nxt.ok:
                reason = "page limit reached" if nxt is None else (nxt.error or f"HTTP {nxt.status}")
                self._reject(uri, f"thread page {no}: {reason}")
                return
            pages.append(nxt)
            more = _decode(nxt.body, nxt.content_type) or ""
            last = max(last, min(discuz.thread_page_count(more, first.at_page(no)), spec.max_thread_pages))
            no += 1
        # Page 1 byte-identical and no later pages: nothing to re-read. A changed thread whose text
        # came out the same is dropped later, when its text can be compared.
        if known is not None and known.status == 200 and known.content_hash == body_hash(resp.body) and len(pages) == 1:
            self.result.counts["unchanged"] += 1
            self._remember(resp, uri)
            return
        status = "changed" if known is not None and known.status == 200 else "new"
        self.result.counts[status] += 1
        for p in pages:
            self._remember(p, uri)
        self.result.units.append(Unit(uri, source_kind, pages, status))


def _looks_like_index(url: str) -> bool:
    """A site or forum front page; an article on a Discuz! portal must not turn into a whole-site crawl."""
    try:
        name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    except ValueError:
        return False
    return name in ("", "index.php", "forum.php", "index.html", "index.htm", "archiver")


def _decode(body: bytes, content_type: str | None) -> str | None:
    try:
        return decode_bytes(body, content_type=content_type, is_html=True)[0]
    except DecodeError:
        return None
