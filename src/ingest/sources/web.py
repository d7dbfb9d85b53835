"""Network access behind one small interface: a safe httpx fetcher that always returns a Response."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol
import httpx

from .content_coding import BoundedDecoder, ContentCodingError, content_codings
from .deadline import ResponseDeadline, deadline_transport
from .urls import ForbiddenURL, canonical_url, check_public_host, host_of, is_public_address

USER_AGENT = "speech-ingest/0.1 (+https://github.com/speech-ingest; research corpus of public speeches)"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml",
              "application/rss+xml", "application/atom+xml", "application/rdf+xml")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(slots=True)
class Response:
    """One HTTP exchange as kept in the raw layer; `error` is set (a reject reason) when it failed."""

    url: str
    final_url: str
    status: int  # 0 when no HTTP response was received
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    error: str | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass
class FetchPolicy:
    """The politeness and safety rules every request obeys."""

    user_agent: str = USER_AGENT
    timeout_s: float = 20.0
    retries: int = 2
    backoff_s: float = 1.0
    max_bytes: int = 10 << 20  # on the wire, and again once decoded
    # The whole response (connect, headers, body): a 10 MB page at a slow 200 KB/s still arrives,
    # a server trickling a byte at a time no longer holds the run and the host's other URLs.
    deadline_s: float = 60.0
    max_redirects: int = 5
    delay_s: float = 1.0  # between two requests to the same host
    allow_private_hosts: bool = False
    obey_robots: bool = True
    content_types: tuple[str, ...] = TEXT_TYPES


def connected_address(response: httpx.Response) -> str | None:
    """The IP address the response really came from (None if the transport does not say)."""
    stream = response.extensions.get("network_stream")
    try:
        addr = stream.get_extra_info("server_addr") if stream is not None else None
    except Exception:  # transports without socket info
        return None
    return addr[0] if isinstance(addr, tuple) and addr else None


class Fetcher(Protocol):
    policy: FetchPolicy

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            check_robots: bool = True) -> Response: ...


class _Refused(Exception):
    pass


class HostPacer:
    """At most one request in flight per host, and `delay` seconds between the end of one and the next."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def wait(self, host: str, delay: float) -> None:
        last = self._last.get(host)
        if last is not None:
            pause = last + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def done(self, host: str) -> None:
        self._last[host] = time.monotonic()


class HttpFetcher:
    """The real fetcher: httpx, no automatic redirects (each hop is checked), streamed size cap."""

    def __init__(self, policy: FetchPolicy | None = None, client: httpx.Client | None = None) -> None:
        from .robots import RobotsCache

        self.policy = policy or FetchPolicy()
        self.deadline = ResponseDeadline()
        self._client = client or httpx.Client(
            follow_redirects=False, trust_env=False, transport=deadline_transport(self.deadline),
            timeout=httpx.Timeout(self.policy.timeout_s, connect=min(self.policy.timeout_s, 10.0)),
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self.pacer = HostPacer()
        self.robots = RobotsCache(self)
        self.requests = 0  # HTTP requests actually sent, retries and robots.txt included
        self.host_delays: dict[str, float] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpFetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            check_robots: bool = True) -> Response:
        """GET with the safety rules; never raises for network or HTTP trouble, returns a Response."""
        fetched_at = utcnow()
        current = url
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            for _hop in range(self.policy.max_redirects + 1):
                check_public_host(current, self.policy.allow_private_hosts)
                if check_robots and self.policy.obey_robots and not self.robots.allowed(current):
                    raise _Refused("disallowed by robots.txt")
                resp = self._get_with_retries(current, headers)
                if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                    current = canonical_url(resp.headers["location"], base=current)
                    continue
                resp.url, resp.fetched_at = url, fetched_at
                return self._checked(resp)
            raise _Refused(f"too many redirects (more than {self.policy.max_redirects})")
        except (ForbiddenURL, _Refused) as exc:
            return Response(url, current, 0, {}, b"", fetched_at, str(exc))

    def _checked(self, resp: Response) -> Response:
        if resp.error or resp.status == 304:
            return resp
        if resp.status >= 400:
            resp.error = f"HTTP {resp.status}"
            return resp
        if resp.status != 200:
            resp.error = f"unexpected HTTP status {resp.status}"
            return resp
        ctype = (resp.content_type or "").split(";")[0].strip().lower()
        if ctype and ctype not in self.policy.content_types:
            resp.error = f"unsupported content type {ctype}"
        return resp

    def _get_with_retries(self, url: str, headers: dict) -> Response:
        host = host_of(url)
        attempt = 0
        while True:
            attempt += 1
            resp = self._get_once(url, headers, host)
            resp.attempts = attempt
            retryable = resp.status >= 500 or (resp.error or "").startswith("timeout")
            if not retryable or attempt > self.policy.retries:
                return resp
            time.sleep(self.policy.backoff_s * (2 ** (attempt - 1)))

    def _get_once(self, url: str, headers: dict, host: str) -> Response:
        delay = max(self.policy.delay_s, self.host_delays.get(host, 0.0))
        with self.pacer.lock(host):
            self.pacer.wait(host, delay)
            self.requests += 1
            try:
                return self._stream(url, headers)
            finally:
                self.pacer.done(host)

    def _stream(self, url: str, headers: dict) -> Response:
        now = utcnow()
        limit = self.policy.max_bytes
        ends = time.monotonic() + self.policy.deadline_s
        try:
            with self.deadline.running(ends), \
                    self._client.stream("GET", url, headers=headers) as r:
                hdrs = {k.lower(): v for k, v in r.headers.items()}
                peer = connected_address(r)
                if peer and not self.policy.allow_private_hosts and not is_public_address(peer):
                    # The name resolved to a public address when checked and to this one on connect.
                    return Response(url, str(r.url), 0, {}, b"", now,
                                    f"private or loopback address refused: connected to {peer}")
                declared = hdrs.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    return Response(url, str(r.url), r.status_code, hdrs, b"", now,
                                    f"response too large ({int(declared)} bytes, limit {limit})")
                fail = lambda reason: Response(url, str(r.url), r.status_code, hdrs, b"", now, reason)  # noqa: E731
                try:
                    # httpx's own decoding (iter_bytes) expands a whole chunk at once: a few KB of
                    # `gzip, gzip` became gigabytes before any cap could look at them.
                    decoder = BoundedDecoder(content_codings(r.headers.get_list("content-encoding")), limit)
                    chunks, size = [], 0
                    for raw in r.iter_raw():
                        size += len(raw)
                        if size > limit:
                            return fail(f"response too large (over {limit} bytes)")
                        chunks.extend(decoder.decode(raw))
                    chunks.extend(decoder.finish())
                except ContentCodingError as exc:
                    return fail(str(exc))
                return Response(url, str(r.url), r.status_code, hdrs, b"".join(chunks), now)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= ends - 0.01:  # the last read was given just the time left
                return Response(url, url, 0, {}, b"", now,
                                f"response not complete within the {self.policy.deadline_s:g} s deadline")
            return Response(url, url, 0, {}, b"", now, f"timeout ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            return Response(url, url, 0, {}, b"", now, f"connection failed: {type(exc).__name__}: {exc}")
        except (httpx.InvalidURL, UnicodeError) as exc:  # what url_problem let through and httpx would not send
            return Response(url, url, 0, {}, b"", now, f"invalid URL: {exc}")
