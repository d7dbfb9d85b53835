"""Fixture web sites served on 127.0.0.1 (or ::1) by the tests: a news site and a Discuz! board, with faults."""
from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ingest" / "data" / "sample"


def seed_sentences() -> list[str]:
    """Sentences from the bundled sample speeches, shared out so every fixture page has its own text."""
    out = []
    for path in sorted(SAMPLE.glob("00*.txt")):
        for line in path.read_text("utf-8").splitlines():
            out += [s.strip() + "。" for s in line.split("。") if len(s.strip()) > 25]
    return out


_SENTENCES = seed_sentences()


def speech(n: int, paragraphs: int = 3) -> list[str]:
    """Paragraphs of three sentences starting at sentence 9*n: fixture documents n, n+1 … never overlap."""
    base = n * 9
    return ["".join(_SENTENCES[(base + p * 3 + k) % len(_SENTENCES)] for k in range(3)) for p in range(paragraphs)]


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)


class FixtureSite:
    """A threaded HTTP server on 127.0.0.1; routes are callables; every request is logged."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, object] = {}
        self.log: list[tuple[str, int]] = []
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                site._serve(self)

        server_class = ThreadingHTTPServer
        if ":" in host:  # an IPv6 address such as ::1
            server_class = type("ThreadingHTTPServerV6", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6})
        self.server = server_class((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server.server_address[1]}"

    def __enter__(self) -> "FixtureSite":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests_for(self, pattern: str, status: int | None = None) -> list[tuple[str, int]]:
        return [(p, s) for p, s in self.log if re.search(pattern, p) and (status is None or s == status)]

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        key = parts.path + (("?" + parts.query) if parts.query else "")
        with self._lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            nth = self.hits[key]
        route = self.routes.get(key) or self.routes.get(parts.path)
        page = route(h, nth) if callable(route) else route
        if page is None:
            page = Page(b"<html><body>not found</body></html>", status=404)
        if page.status == -1:  # the route wrote the response itself
            with self._lock:
                self.log.append((key, 200))
            return
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
        status = page.status
        if status == 200 and h.headers.get("If-None-Match") == etag:
            status = 304
        with self._lock:
            self.log.append((key, status))
        try:
            self._send(h, page, status, etag)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, page: Page, status: int, etag: str) -> None:
        h.send_response(status)
        if status in (200, 304):
            h.send_header("ETag", etag)
        for k, v in page.headers.items():
            h.send_header(k, v)
        body = b"" if status == 304 else page.body
        h.send_header("Content-Type", page.content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


# -- the news site -----------------------------------------------------------------------------------
def article_html(title: str, paragraphs: list[str]) -> bytes:
    ps = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/news/list-1.html'>新闻</a></div>"
            f"<article><h1>{title}</h1>{ps}</article>"
            f"<div class='footer'>版权所有 示例新闻网</div></body></html>").encode("utf-8")


def news_site() -> FixtureSite:
    """Articles a1..a4 listed by an RSS feed, a1..a3 plus a5 by a sitemap index; and one page per fault."""
    site = FixtureSite()
    r = site.routes
    titles = {f"a{i}": f"示例讲话第{i}篇" for i in range(1, 6)}
    for i, (slug, title) in enumerate(titles.items(), 1):
        r[f"/news/{slug}.html"] = Page(article_html(title, speech(i)))
    r["/robots.txt"] = Page(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    r["/private/secret.html"] = Page(article_html("不应抓取", speech(40)))
    r["/news/list-1.html"] = Page(("<html><body>" + "".join(
        f"<a href='/news/a{i}.html'>{titles[f'a{i}']}</a>" for i in (1, 2, 3)) +
        "<a href='/news/list-2.html'>下一页</a></body></html>").encode("utf-8"))
    r["/news/list-2.html"] = Page(b"<html><body><a href='/news/a4.html'>a4</a></body></html>")
    r["/news/flaky.html"] = lambda h, nth: Page(b"busy", status=500) if nth == 1 else \
        Page(article_html("重试后成功的讲话", speech(6)))

    def slow(h, nth):
        time.sleep(2.5)
        return Page(article_html("很慢的页面", speech(7)))

    def huge(h, nth):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            chunk = ("<p>" + "很长的页面。" * 500 + "</p>").encode("utf-8")
            for _ in range(400):  # about 3.6 MB, no Content-Length: the cap must stop the stream
                h.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True
        return Page(b"", status=-1)

    r["/news/slow.html"] = slow
    r["/news/huge.html"] = huge
    r["/news/loop-a.html"] = Page(b"", status=302, headers={"Location": "/news/loop-b.html"})
    r["/news/loop-b.html"] = Page(b"", status=302, headers={"Location": "/news/loop-a.html"})
    r["/news/picture.png"] = Page(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
    items = [f"/news/a{i}.html" for i in range(1, 5)] + ["/news/missing.html", "/news/flaky.html", "/news/slow.html",
                                                          "/news/huge.html", "/news/loop-a.html",
                                                          "/private/secret.html", "/news/picture.png"]
    rss = "".join(f"<item><title>t</title><link>{site.base}{p}</link>"
                  f"<pubDate>Mon, 04 Nov 2024 08:00:00 GMT</pubDate></item>" for p in items)
    r["/feed.xml"] = lambda h, nth: Page(
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>示例</title>{rss}</channel></rss>".encode(),
        "application/rss+xml")
    r["/sitemap.xml"] = lambda h, nth: Page(
        f"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>{site.base}/sitemap-news.xml</loc></sitemap></sitemapindex>".encode(), "application/xml")
    urls = "".join(f"<url><loc>{site.base}/news/{s}.html</loc><lastmod>2024-11-04</lastmod></url>"
                   for s in ("a1", "a2", "a3", "a5"))
    r["/sitemap-news.xml"] = lambda h, nth: Page(
        f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>".encode(),
        "application/xml")
    return site


# -- the Discuz! board ----------------------------------------------------------------------------------
@dataclass
class Thread:
    tid: int
    title: str
    starter: str
    pages: list[list[tuple[str, list[str]]]]  # per page: (poster, paragraphs) per post
    charset: str = "utf-8"


class DiscuzBoard:
    """Board fid=2 with a viewthread/forumdisplay view and an archiver view; two list pages each."""

    PER_PAGE = 3

    def __init__(self) -> None:
        self.site = FixtureSite()
        self.threads: list[Thread] = []
        for tid, pages, charset, seed in ((101, 2, "utf-8", 8), (102, 1, "gbk", 10), (103, 3, "gbk", 11),
                                          (104, 1, "utf-8", 13)):
            self.add_thread(tid, pages, charset, seed)
        self.site.routes["/robots.txt"] = Page(b"User-agent: *\nDisallow: /bbs/api/\n", "text/plain")
        self.site.routes["/bbs/forum.php"] = self._forum_php
        self.site.routes["/bbs/archiver/"] = self._archiver
        self.site.routes["/bbs/"] = Page(
            "<html><head><meta name='generator' content='Discuz! X3.4'><title>示例论坛</title></head><body>"
            "<a href='forum.php?mod=forumdisplay&amp;fid=2'>讲话交流</a> <a href='home.php?mod=space'>空间</a>"
            "</body></html>".encode("utf-8"))

    def add_thread(self, tid: int, n_pages: int, charset: str = "utf-8", seed: int = 14) -> Thread:
        starter = f"作者{tid}"
        body = speech(seed, 2 * n_pages)
        pages = []
        for p in range(n_pages):
            # The starter's text goes on over later pages (first post of each page), replies follow.
            posts = [(starter, body[2 * p:2 * p + 2]), (f"网友{tid}{p}", [f"回复{tid}-{p}：顶一下，学习了。"])]
            pages.append(posts)
        thread = Thread(tid, f"讲话材料{tid}", starter, pages, charset)
        self.threads.insert(0, thread)  # newest first, like a board
        return thread

    def starter_text(self, tid: int) -> list[str]:
        t = next(t for t in self.threads if t.tid == tid)
        return [p for page in t.pages for poster, ps in page if poster == t.starter for p in ps]

    @property
    def base(self) -> str:
        return self.site.base + "/bbs/"

    def __enter__(self) -> "DiscuzBoard":
        self.site.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.site.__exit__(*exc)

    # -- rendering ------------------------------------------------------------------------------------
    def _encode(self, html: str, charset: str) -> Page:
        if charset == "gbk":
            html = html.replace("charset=utf-8", "charset=gbk")
        return Page(html.encode(charset), f"text/html; charset={charset}")

    def _list_pages(self) -> list[list[Thread]]:
        return [self.threads[i:i + self.PER_PAGE] for i in range(0, len(self.threads), self.PER_PAGE)]

    def _forum_php(self, h, nth) -> Page | None:
        q = dict(re.findall(r"([a-z]+)=([^&]*)", urlsplit(h.path).query))
        page = int(q.get("page", 1))
        if q.get("mod") == "forumdisplay" and q.get("fid") == "2":
            lists = self._list_pages()
            if page > len(lists):
                return None
            rows = "".join(
                f"<tbody id='normalthread_{t.tid}'><tr><th><a href='forum.php?mod=viewthread&amp;tid={t.tid}&amp;extra=page%3D{page}'"
                f" class='s xst'>{t.title}</a>"
                + ("".join(f" <a href='forum.php?mod=viewthread&amp;tid={t.tid}&amp;extra=page%3D{page}&amp;page={n}'>{n}</a>"
                           for n in range(2, len(t.pages) + 1)))
                + f"</th><td><a href='forum.php?mod=redirect&amp;tid={t.tid}&amp;goto=lastpost#lastpost'>最后发表</a></td></tr></tbody>"
                for t in lists[page - 1])
            pager = "".join(f"<a href='forum.php?mod=forumdisplay&amp;fid=2&amp;page={n}'>{n}</a>"
                            for n in range(1, len(lists) + 1))
            return self._encode(f"<!DOCTYPE html><html><head><meta charset=utf-8><meta name='generator' content='Discuz! X3.4'>"
                                f"<title>讲话交流 - 示例论坛</title></head><body><table id='threadlisttableid'>{rows}</table>"
                                f"<div class='pg'>{pager}</div></body></html>", "utf-8")
        if q.get("mod") == "viewthread":
            t = next((t for t in self.threads if str(t.tid) == q.get("tid")), None)
            if t is None or page > len(t.pages):
                return None
            posts = "".join(
                f"<div id='post_{t.tid}{page}{i}'><table id='pid{t.tid}{page}{i}'><tr><td class='pls'>"
                f"<div class='authi'><a href='home.php?mod=space&amp;uid={i}' class='xw1'>{poster}</a></div></td>"
                f"<td class='plc'><div class='authi'><em id='authorposton{t.tid}{page}{i}'>发表于 2024-7-4 09:18:46</em></div>"
                f"<table><tr><td class='t_f' id='postmessage_{t.tid}{page}{i}'>{'<br />'.join(ps)}</td></tr></table>"
                f"</td></tr></table></div>" for i, (poster, ps) in enumerate(t.pages[page - 1]))
            pager = "".join(f"<strong>{n}</strong>" if n == page else
                            f"<a href='forum.php?mod=viewthread&amp;tid={t.tid}&amp;extra=page%3D1&amp;page={n}'>{n}</a>"
                            for n in range(1, len(t.pages) + 1)) if len(t.pages) > 1 else ""
            return self._encode(f"<!DOCTYPE html><html><head><meta charset=utf-8><meta name='generator' content='Discuz! X3.4'>"
                                f"<title>{t.title} - 讲话交流 - 示例论坛</title></head><body>"
                                f"<div id='pt'><a href='forum.php?mod=forumdisplay&amp;fid=2'>讲话交流</a></div>"
                                f"<h1 class='ts'><span id='thread_subject'>{t.title}</span></h1>"
                                f"<div class='pg'>{pager}</div><div id='postlist'>{posts}</div>"
                                f"<div class='pg'>{pager}</div></body></html>", t.charset)
        return None

    def _archiver(self, h, nth) -> Page | None:
        query = urlsplit(h.path).query
        m = re.match(r"(fid|tid)-(\d+)\.html(?:&page=(\d+))?$", query)
        if not m:
            return None
        page = int(m.group(3) or 1)
        head = "<!DOCTYPE html><html><head><meta charset=utf-8><title>{}</title></head><body><div id='content'>{}</div>{}</body></html>"
        if m.group(1) == "fid" and m.group(2) == "2":
            lists = self._list_pages()
            if page > len(lists):
                return None
            items = "".join(f"<li><a href='?tid-{t.tid}.html'>{t.title}</a> ({len(t.pages)} 页)</li>" for t in lists[page - 1])
            pager = "".join(f"<a href='?fid-2.html&amp;page={n}'>{n}</a>" for n in range(1, len(lists) + 1))
            return self._encode(head.format("讲话交流 - 示例论坛 - Powered by Discuz! Archiver",
                                            f"<ul>{items}</ul><div class='page'>{pager}</div>", ""), "utf-8")
        t = next((t for t in self.threads if str(t.tid) == m.group(2)), None)
        if m.group(1) != "tid" or t is None or page > len(t.pages):
            return None
        posts = "".join(f"<p class='author'><strong>{poster}</strong> 发表于 2024-7-4 09:18:46</p>{'<br />'.join(ps)}<br /><br />"
                        for poster, ps in t.pages[page - 1])
        pager = "<div class='page'>" + "".join(f"<a href='?tid-{t.tid}.html&amp;page={n}'>{n}</a>"
                                               for n in range(1, len(t.pages) + 1)) + "</div>" if len(t.pages) > 1 else ""
        end = f"<div id='end'>查看完整版本: <a href='../forum.php?mod=viewthread&amp;tid={t.tid}'><strong>{t.title}</strong></a></div>"
        return self._encode(head.format(f"{t.title} - 示例论坛 - Powered by Discuz! Archiver",
                                        f"<h3>{t.title}</h3>{posts}{pager}", end), t.charset)
