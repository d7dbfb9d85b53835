"""URL facts for fetching: is it a URL, its canonical form, and whether its host may be contacted."""
from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

ALLOWED_SCHEMES = ("http", "https")
# Parameters that name how a page was reached, not which page it is.
TRACKING_PARAMS = {"spm", "from", "fromuid", "share_token", "fbclid", "gclid"}


class ForbiddenURL(ValueError):
    """A URL the fetcher refuses to request; the message is the reject reason."""


def is_url(text: str) -> bool:
    return urlsplit(text.strip()).scheme.lower() in ALLOWED_SCHEMES and "://" in text


def local_paths(sources: list[str] | None, sources_file: str | None = None) -> list[str] | None:
    """The files and directories a run reads: None when nothing at all is named (the sample corpus)."""
    if not sources:
        return [] if sources_file else None
    return [s for s in sources if not is_url(s)]


def allow_private_from_env() -> bool:
    return os.environ.get("INGEST_ALLOW_PRIVATE_HOSTS", "").strip().lower() in ("1", "true", "yes", "on")


def canonical_url(url: str, base: str | None = None) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = parts.path or "/"
    query = parts.query
    if query and "=" in query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_")]
        if len(kept) != len(pairs):
            query = urlencode(kept, safe="/:%")
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ForbiddenURL(f"scheme not allowed: {scheme or '(none)'} (only http and https)")


def _is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return not (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
                or addr.is_reserved or addr.is_unspecified)


def is_public_address(address: str) -> bool:
    try:
        return _is_public(ipaddress.ip_address(address.split("%")[0]))
    except ValueError:
        return False


def check_public_host(url: str, allow_private: bool = False) -> None:
    """Refuse hosts that are, or resolve to, private, loopback, link-local or reserved addresses."""
    check_scheme(url)
    host = urlsplit(url).hostname
    if not host:
        raise ForbiddenURL("URL has no host")
    if allow_private:
        return
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [literal]
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            raise ForbiddenURL(f"private or loopback host refused: {host} (use --allow-private-hosts)") from None
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise ForbiddenURL(f"cannot resolve host {host}: {exc.strerror or exc}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for addr in addresses:
        if not _is_public(addr):
            raise ForbiddenURL(f"private or loopback address refused: {host} ({addr}) (use --allow-private-hosts)")
