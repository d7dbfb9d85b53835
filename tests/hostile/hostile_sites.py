"""Hostile web servers on 127.0.0.1 / ::1: compression bombs, trickling responses, odd links."""
from __future__ import annotations

import gzip
import time
import zlib
from functools import lru_cache

from fixture_sites import FixtureSite, Page, article_html, speech

TRICKLE_INTERVAL_S = 0.2
TRICKLE_FOR_S = 20.0  # a trickling response gives up by itself after this (bounded server loops)


@lru_cache(maxsize=None)
def gzip_of_zeros(gib: int) -> bytes:
    """gzip of GIB GiB of zero bytes, compressed in 1 MiB steps (never held whole): ~1 MB per GiB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    out = [packer.compress(zeros) for _ in range(gib << 10)]
    out.append(packer.flush())
    return b"".join(out)


@lru_cache(maxsize=None)
def gzip_gzip_bomb(gib: int) -> bytes:
    """`Content-Encoding: gzip, gzip`: a few KB on the wire, GIB GiB once both layers are decoded."""
    return gzip.compress(gzip_of_zeros(gib), 9)


@lru_cache(maxsize=None)
def gzip_deflate_bomb(gib: int) -> bytes:
    """`Content-Encoding: gzip, deflate`: gzip applied first, then deflate (zlib) over it."""
    return zlib.compress(gzip_of_zeros(gib), 9)


def _raw(h, status_line: bytes, headers: list[tuple[str, str]], body: bytes = b"") -> Page:
    h.wfile.write(status_line + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers) + b"\r\n" + body)
    h.wfile.flush()
    h.close_connection = True
    return Page(b"", status=-1)


def trickle_body(h, nth) -> Page:
    """Headers at once, then one byte of a 10 KB body every TRICKLE_INTERVAL_S (a slow-loris)."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 10000\r\n"
                  b"Connection: close\r\n\r\n")
    _drip(h, b"<")
    h.close_connection = True
    return Page(b"", status=-1)


def trickle_headers(h, nth) -> Page:
    """The status line, then the headers one byte at a time: no response object ever arrives."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    _drip(h, b"a")
    h.close_connection = True
    return Page(b"", status=-1)


def _drip(h, byte: bytes) -> None:
    end = time.monotonic() + TRICKLE_FOR_S
    try:
        while time.monotonic() < end:
            h.wfile.write(byte)
            h.wfile.flush()
            time.sleep(TRICKLE_INTERVAL_S)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up: what a deadline should make it do


def hostile_site(bomb_gib: int = 2) -> FixtureSite:
    """A site whose pages decode to BOMB_GIB GiB, trickle, or use an encoding nobody asked for,
    beside ordinary pages (one of them gzip-encoded) that must still load."""
    site = FixtureSite()
    r = site.routes
    r["/robots.txt"] = Page(b"User-agent: *\nAllow: /\n", "text/plain")
    r["/news/plain.html"] = Page(article_html("普通的讲话", speech(20)))
    r["/news/gzipped.html"] = Page(gzip.compress(article_html("压缩传输的讲话", speech(21))),
                                   headers={"Content-Encoding": "gzip"})
    gg, dg = gzip_gzip_bomb(bomb_gib), gzip_deflate_bomb(bomb_gib)
    r["/news/bomb-gzip-gzip.html"] = lambda h, nth: _raw(h, b"HTTP/1.1 200 OK\r\n", [
        ("Content-Type", "text/html"), ("Content-Encoding", "gzip, gzip"), ("Content-Length", str(len(gg)))], gg)
    # the same stack as two header lines, listed in the order they were applied
    r["/news/bomb-gzip-deflate.html"] = lambda h, nth: _raw(h, b"HTTP/1.1 200 OK\r\n", [
        ("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Content-Encoding", "deflate"),
        ("Content-Length", str(len(dg)))], dg)
    r["/news/brotli.html"] = Page(b"\x1b\x03\x00\xf8\xa5\x00\x00", headers={"Content-Encoding": "br"})
    r["/news/trickle-body.html"] = trickle_body
    r["/news/trickle-headers.html"] = trickle_headers
    return site
