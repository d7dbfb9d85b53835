"""A deadline for a whole HTTP response: every connect, write and socket read of it shares one clock."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

import httpcore
import httpx


class ResponseDeadline:
    """When the response now being fetched (in this thread) must be complete."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def running(self, ends: float) -> Iterator[None]:
        """Socket operations in this block end by time.monotonic() == ENDS."""
        self._local.at = ends
        try:
            yield
        finally:
            self._local.at = None

    def limit(self, timeout: float | None, timeout_error: type[Exception]) -> float | None:
        """The timeout for the next socket operation: the usual one, or less if the deadline is nearer."""
        at = getattr(self._local, "at", None)
        if at is None:
            return timeout
        left = at - time.monotonic()
        if left <= 0:
            raise timeout_error("response deadline passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    # httpx's read timeout applies to each socket read: a server sending a byte every few seconds
    # never trips it. Shortening each read to the time left bounds the whole response, headers
    # included, on fresh and reused connections alike, with no watchdog thread.
    def __init__(self, inner: httpcore.NetworkStream, deadline: ResponseDeadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.limit(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.limit(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._deadline.limit(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: ResponseDeadline) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._inner.connect_tcp(host, port, self._deadline.limit(timeout, httpcore.ConnectTimeout),
                                         local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        stream = self._inner.connect_unix_socket(path, self._deadline.limit(timeout, httpcore.ConnectTimeout),
                                                 socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(deadline: ResponseDeadline) -> httpx.HTTPTransport:
    """httpx's own transport, its connections opened through a backend that honours DEADLINE."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx does not take a network backend as an argument; its connection pool does (httpcore's
    # documented NetworkBackend interface), so the pool it built is given ours.
    pool = transport._pool
    if not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx/httpcore changed: the fetch deadline cannot be installed")
    pool._network_backend = _DeadlineBackend(deadline)
    return transport
